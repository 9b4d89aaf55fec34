@testable import MigrationCore
import Testing
import TestSupport

/// plan.json writes volumes and steps straight into its text, the way `JSONWriter` writes the
/// values `volumeValue` and `stepValue` describe: the two must agree byte for byte.
@Suite struct PlanJSONFastPathTests {
  @Test func volumesAndStepsAreWrittenAsJSONWriterWritesTheirValues() throws {
    let plan = try PlanSupport.demo().plan
    let renderer = PlanJSONRenderer(plan: plan)
    #expect(plan.volumes.count > 5)
    for i in plan.volumes.indices {
      let v = plan.volumes[i]
      var fast = ByteText()
      renderer.volume(v, into: &fast)
      var slow = ""
      JSONWriter.render(renderer.volumeValue(v), indent: 2, into: &slow)
      #expect(String(decoding: fast.bytes, as: UTF8.self) == slow, "volume \(v.name)")
    }
    var steps = 0
    for g in plan.groups.indices {
      for (k, s) in plan.steps(ofGroup: g).enumerated() {
        let id = "\(plan.groups[g].number).\(k + 1)"
        var fast = ByteText()
        renderer.step(id, s, plan, into: &fast)
        var slow = ""
        JSONWriter.render(renderer.stepValue(id, s), indent: 2, into: &slow)
        #expect(String(decoding: fast.bytes, as: UTF8.self) == slow, "step \(id)")
        steps += 1
      }
    }
    #expect(steps > 20)
  }
}
