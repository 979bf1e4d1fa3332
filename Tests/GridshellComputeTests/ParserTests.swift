import Foundation
import GridshellCompute
import GridshellCore
import Testing

@Suite struct HostlistTests {
    @Test(arguments: [
        ("node1", ["node1"]),
        ("node[1-3]", ["node1", "node2", "node3"]),
        ("node[1-2,5],gpu-a01", ["node1", "node2", "node5", "gpu-a01"]),
        ("n[08-10]", ["n08", "n09", "n10"]),
        ("rack[1-2]-x", ["rack1-x", "rack2-x"]),
        ("", []),
        ("(null)", []),
    ])
    func expands(text: String, names: [String]) throws {
        #expect(try Hostlist.expand(text) == names)
    }

    @Test(arguments: ["node[1-", "node]1[", "node[a-b]", "node[3-1]", "n[1-2][3-4]", "node[1,,2]", "a,,b", "node[-1]"])
    func rejects(text: String) {
        #expect(throws: HostlistError.self) { try Hostlist.expand(text) }
    }
}

@Suite struct GRESTests {
    @Test func jobDetailWithIndices() throws {
        let list = try GRES.parseList("gpu:h100:2(IDX:0-1)")
        #expect(list == [GRES(name: "gpu", type: "h100", count: 2, indices: [0, 1])])
    }

    @Test func indicesWithCommasStayInOneItem() throws {
        let list = try GRES.parseList("gpu:3(IDX:0,2-3),nic:1")
        #expect(list.count == 2)
        #expect(list[0].indices == [0, 2, 3])
        #expect(GRES.gpuCount(list) == 3)
    }

    @Test func nodeForms() throws {
        #expect(try GRES.parseList("gpu:h100:4") == [GRES(name: "gpu", type: "h100", count: 4, indices: nil)])
        #expect(try GRES.parseList("gpu:h100:0(IDX:N/A)") == [GRES(name: "gpu", type: "h100", count: 0, indices: [])])
        #expect(try GRES.parseList("gpu:4(S:0-1)")[0].count == 4)
        #expect(try GRES.parseList("gres:gpu:2")[0].count == 2)
        #expect(try GRES.parseList("gpu")[0].count == 1)
        #expect(try GRES.parseList("(null)").isEmpty)
    }

    @Test(arguments: ["gpu:h100:x", "gpu:h100:2(IDX:0-", "gpu:2)", "gpu::2", "gpu:a:b:c", "gpu:2(IDX:3-1)", "gpu:2(IDX:x)", "gpu:-1", "gpu:2(IDX:0)x"])
    func rejects(text: String) {
        #expect(throws: GRESError.self) { try GRES.parseList(text) }
    }
}

@Suite struct JobTagTests {
    /// The cap word is read from the words it is removed from: whatever reads as a cap can be
    /// withdrawn, and an operator's words stay.
    @Test func publishedCapReadsAndWithdrawsTheSameWord() {
        func job(_ comment: String) -> ComputeJob { ComputeJob(id: "1", name: "j", partition: "training", state: .running, adminComment: comment) }
        let capped = job("ticket-42 gridshell:cap=0.600")
        #expect(capped.publishedCap == 0.6)
        #expect(capped.adminComment(withCap: nil) == "ticket-42")
        #expect(capped.adminComment(withCap: 0.75) == "ticket-42 gridshell:cap=0.750")
        // Not a word of its own: neither read nor removed, so never a cap that cannot be lifted.
        let joined = job("ticket-42;gridshell:cap=0.600")
        #expect(joined.publishedCap == nil && joined.adminComment(withCap: nil) == "ticket-42;gridshell:cap=0.600")
    }

    @Test func commentTag() throws {
        #expect(try JobTag.parseComment("gridshell:flex=3,profile=training") == JobTag(flexTier: 3, profile: .training))
        #expect(try JobTag.parseComment("llama run 7; gridshell:flex=2 owner=ml") == JobTag(flexTier: 2))
        #expect(try JobTag.parseComment("GRIDSHELL:Profile=Inference") == JobTag(profile: .inference))
        #expect(try JobTag.parseComment("nightly eval") == nil)
        #expect(try JobTag.parseComment("") == nil)
    }

    @Test(arguments: [
        "gridshell:flex=4", "gridshell:flex=-1", "gridshell:flex=two", "gridshell:profile=gaming", "gridshell:",
        "gridshell:flex=1,flex=2", "gridshell:tier=1", "gridshell:flex", "gridshell:flex=1,", "gridshell:flex=1 gridshell:flex=2",
    ])
    func malformedTagIsAnError(comment: String) {
        #expect(throws: JobTagError.self) { try JobTag.parseComment(comment) }
    }

    @Test func sourcesInOrder() {
        let site = [AIJob(name: "nightly", kind: .batch, gpus: 2, flexTier: 3)]
        let tagger = JobTagger(siteJobs: site)
        let fromComment = tagger.tag(comment: "gridshell:flex=2", qos: "flex1", partition: "inference", name: "nightly")
        #expect(fromComment.flexTier == 2 && fromComment.source == .comment && fromComment.profile == .inference)
        let fromQOS = tagger.tag(comment: "", qos: "gridshell-flex3", partition: "training", name: "x")
        #expect(fromQOS.flexTier == 3 && fromQOS.source == .qos && fromQOS.profile == .training)
        let fromPartition = tagger.tag(comment: "", qos: "", partition: "batch", name: "x")
        #expect(fromPartition.flexTier == 3 && fromPartition.profile == .batch && fromPartition.source == .partition)
        let fromSite = tagger.tag(comment: "", qos: "normal", partition: "gpu", name: "nightly")
        #expect(fromSite.flexTier == 3 && fromSite.profile == .batch && fromSite.source == .siteFile)
        let unknown = tagger.tag(comment: "", qos: "", partition: "gpu", name: "mystery")
        #expect(unknown.flexTier == 0 && unknown.profile == .inference && unknown.source == .fallback)
    }

    @Test func malformedCommentFallsBackAndSaysWhy() {
        let result = JobTagger().tag(comment: "gridshell:flex=9", qos: "", partition: "training", name: "x")
        #expect(result.flexTier == 1 && result.source == .partition)
        #expect(result.issue?.description.contains("flex must be 0, 1, 2 or 3, found '9'") == true)
    }
}

@Suite struct SlurmJSONTests {
    @Test func realSqueueOutput() throws {
        let jobs = try SlurmJSON.jobs(try fixture("squeue-22.05.json"), tagger: JobTagger())
        let byID = Dictionary(uniqueKeysWithValues: jobs.map { ($0.id, $0) })
        let train = try #require(byID["4"])
        #expect(train.state == .running && train.partition == "training" && train.flexTier == 3 && train.tagSource == .comment)
        #expect(train.gpuCount == 1 && train.nodes == ["node3"] && train.gpuIndices == ["node3": [1]])
        let infer = try #require(byID["2"])
        #expect(infer.state == .pending && infer.reason == "BeginTime" && infer.requeueCount == 3 && !infer.held)
        #expect(infer.gpuCount == 8 && infer.flexTier == 0 && infer.profile == .inference && infer.nodes.isEmpty)
        let held = try #require(byID["5"])
        #expect(held.held && held.priority == 0 && held.reason == "JobHeldUser" && held.flexTier == 3 && held.profile == .batch)
        let batch = try #require(byID["3"])
        #expect(batch.priority == 5000 && batch.startTime != nil && batch.gpuIndices == ["node3": [0]])
    }

    @Test func realSinfoOutput() throws {
        let nodes = try SlurmJSON.nodes(try fixture("sinfo-22.05.json"))
        #expect(nodes.map(\.name).sorted() == ["node1", "node2", "node3"])
        let node3 = try #require(nodes.first { $0.name == "node3" })
        #expect(node3.gpusTotal == 4 && node3.gpusAllocated == 2 && node3.allocatedIndices == [0, 1] && node3.state == "mixed")
        #expect(node3.partitions.sorted() == ["batch", "inference", "training"])
        #expect(nodes.first { $0.name == "node1" }?.gpusAllocated == 0)
    }

    @Test func laterShapeWithWrappedNumbersAndStateLists() throws {
        let json = """
            {"jobs": [{"job_id": 7, "name": "t", "partition": "training", "job_state": ["RUNNING"], "nodes": "node[1-2]",
              "gres_detail": ["gpu:2(IDX:0-1)", "gpu:2(IDX:2-3)"], "priority": {"set": true, "infinite": false, "number": 10},
              "restart_cnt": 1, "start_time": {"set": true, "number": 1700000000}, "array_task_id": {"set": false, "number": 0}}]}
            """
        let jobs = try SlurmJSON.jobs(Data(json.utf8), tagger: JobTagger())
        #expect(jobs[0].gpuIndices == ["node1": [0, 1], "node2": [2, 3]] && jobs[0].gpuCount == 4 && jobs[0].priority == 10)
    }

    @Test(arguments: [
        ("not json", "(document)"),
        (#"{"jobs": [{"name": "x", "partition": "p", "job_state": "RUNNING"}]}"#, "jobs[0].job_id"),
        (#"{"jobs": [{"job_id": "x", "name": "x", "partition": "p", "job_state": "RUNNING"}]}"#, "jobs[0].job_id"),
        (#"{"jobs": [{"job_id": 1, "name": "x", "partition": "p", "job_state": "running!"}]}"#, "job_state"),
        (#"{"jobs": [{"job_id": 1, "name": "x", "partition": "p", "job_state": "RUNNING", "nodes": "n[1-"}]}"#, "nodes"),
        (#"{"jobs": [{"job_id": 1, "name": "x", "partition": "p", "job_state": "RUNNING", "nodes": "n[1-2]", "gres_detail": ["gpu:1(IDX:0)"]}]}"#, "gres_detail"),
        (#"{"jobs": [{"job_id": 1, "name": "x", "partition": "p", "job_state": "RUNNING", "nodes": "n1", "gres_detail": ["gpu:1(IDX:z)"]}]}"#, "gres"),
        (#"{"jobs": [], "errors": [{"error": "Unable to contact slurm controller", "error_number": 1007}]}"#, "errors"),
        (#"{"nodes": []}"#, "jobs"),
    ])
    func hostileSqueueOutputNamesTheField(text: String, field: String) {
        do {
            _ = try SlurmJSON.jobs(Data(text.utf8), tagger: JobTagger())
            Issue.record("accepted \(text)")
        } catch let error as SlurmOutputError {
            #expect(error.field.contains(field), "\(error)")
            #expect(error.description.hasPrefix("`squeue --json` output"))
        } catch {
            Issue.record("unexpected \(error)")
        }
    }

    @Test func hostileSinfoOutput() {
        let tooMany = #"{"nodes": [{"name": "n1", "state": "mixed", "gres": "gpu:2", "gres_used": "gpu:3(IDX:0-2)"}]}"#
        #expect { try SlurmJSON.nodes(Data(tooMany.utf8)) } throws: { "\($0)".contains("3 GPUs in use but the node has 2") }
        let bad = #"{"nodes": [{"name": "n1", "state": "idle", "gres": "gpu:h100:x"}]}"#
        #expect { try SlurmJSON.nodes(Data(bad.utf8)) } throws: { "\($0)".contains("nodes[n1].gres") }
    }

    @Test func submissionArguments() {
        let s = SlurmSubmission(script: "/j.sh", name: "t", partition: "training", gpusPerNode: 2, comment: "gridshell:flex=3", hold: true)
        #expect(s.arguments == ["--parsable", "--job-name=t", "--partition=training", "--nodes=1", "--gres=gpu:2", "--comment=gridshell:flex=3", "--hold", "/j.sh"])
    }
}

@Suite struct NvidiaSMIParseTests {
    @Test func realShape() throws {
        let text = """
            0, GPU-5c0ffee0-1111-2222-3333-abcdef000000, NVIDIA H100 80GB HBM3, 69.84, 700.00, 200.00, 700.00, 700.00
            1, GPU-5c0ffee1-1111-2222-3333-abcdef000001, NVIDIA H100 80GB HBM3, 412.30, 450.00, 200.00, 700.00, 450.00

            """
        let gpus = try NvidiaSMI.parse(text)
        #expect(gpus.count == 2)
        #expect(gpus[1].powerDrawW == 412.30 && gpus[1].enforcedLimitW == 450 && gpus[1].minLimitW == 200 && gpus[1].maxLimitW == 700)
    }

    @Test func notAvailableAndNotSupported() throws {
        let gpus = try NvidiaSMI.parse("0, GPU-x, Tesla T4, [N/A], [Not Supported], [Not Supported], [Not Supported], [Not Supported]\n")
        #expect(gpus[0].powerDrawW == nil && !gpus[0].supportsPowerLimit)
    }

    @Test(arguments: [
        ("0, GPU-x, H100, 70.00, 700.00, 200.00, 700.00", "line"),
        ("x, GPU-x, H100, 70.00, 700.00, 200.00, 700.00, 700.00", "index"),
        ("0, GPU-x, H100, 70 W, 700.00, 200.00, 700.00, 700.00", "power.draw"),
        ("0, GPU-x, H100, 70.00, 700.00, 800.00, 700.00, 700.00", "power.min_limit"),
        ("0, GPU-x, H100, 70.00, 700.00, 200.00, 700.00, nan", "enforced.power.limit"),
        ("0, a, b, 1, 1, 1, 1, 1\n0, a, b, 1, 1, 1, 1, 1", "index"),
        ("No devices were found", "line"),
    ])
    func hostile(text: String, field: String) {
        #expect { try NvidiaSMI.parse(text) } throws: { ($0 as? NvidiaSMIOutputError)?.field == field }
    }
}
