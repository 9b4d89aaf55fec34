import Foundation
@testable import MigrationCore
import Testing

/// JSON strings are escaped byte by byte into `ByteText` (plan.json) and, through it, into
/// `String` (every other report): both must write what a JSON parser reads back unchanged.
@Suite struct JSONQuoteTests {
  @Test func escapesExactlyWhatJSONAndJavaScriptNeed() {
    let cases: [(String, String)] = [
      ("plain", #""plain""#),
      ("", #""""#),
      ("a\"b\\c", #""a\"b\\c""#),
      ("line\nreturn\rtab\t", #""line\nreturn\rtab\t""#),
      ("\u{0}\u{1}\u{1F}\u{7F}", #""\u0000\u0001\u001f\u007f""#),
      ("sep\u{2028}para\u{2029}end", #""sep\u2028para\u2029end""#),
      // E2 that starts another character is copied as it is.
      ("arrow → done, ‘quote’", "\"arrow → done, ‘quote’\""),
      ("kubectl patch pv x -p '{\"spec\":{\"a\":\"b\"}}'", #""kubectl patch pv x -p '{\"spec\":{\"a\":\"b\"}}'""#),
    ]
    for (raw, expected) in cases {
      var bytes = ByteText()
      bytes.appendJSONQuoted(raw)
      #expect(String(decoding: bytes.bytes, as: UTF8.self) == expected, "\(raw.debugDescription)")
      var text = "["
      JSONWriter.quote(raw, into: &text)
      #expect(text == "[" + expected, "\(raw.debugDescription)")
    }
  }

  /// Text is scanned eight bytes at a time: each character that must be escaped is found at
  /// every place in and across those words, among characters that must not.
  @Test func findsAnEscapeAtEveryPlaceOfALongString() {
    let escapes: [(String, String)] = [
      ("\"", "\\\""), ("\\", "\\\\"), ("\n", "\\n"), ("\u{1F}", "\\u001f"), ("\u{7F}", "\\u007f"),
      ("\u{2028}", "\\u2028"),
    ]
    // Bytes next to those that must be escaped: ! is 0x22 - 1, ] is 0x5C + 1, space 0x20, ~ 0x7E, and
    // characters made of 0xE2 with other continuation bytes.
    let fillers = ["a", "!", "]", " ", "~", "\u{80}", "→", "\u{2027}"]
    for filler in fillers {
      for (raw, escaped) in escapes {
        for at in 0..<20 {
          let before = String(repeating: filler, count: at), after = String(repeating: filler, count: 19 - at)
          var bytes = ByteText()
          bytes.appendJSONQuoted(before + raw + after)
          #expect(String(decoding: bytes.bytes, as: UTF8.self) == "\"" + before + escaped + after + "\"", "\(filler) \(at)")
          #expect(JSONWriter.needsEscape(before + raw + after))
        }
      }
      // 0xE2 may start U+2028: it sends the text to the slow path, which copies it as it is.
      #expect(JSONWriter.needsEscape(String(repeating: filler, count: 20)) == filler.utf8.contains(0xE2))
    }
  }

  @Test func aParserReadsEveryQuotedStringBackUnchanged() throws {
    var generator = SystemRandomNumberGenerator()
    let alphabet: [Unicode.Scalar] = ["a", "Z", " ", "\"", "\\", "/", "\n", "\r", "\t", "\u{0}", "\u{1B}", "\u{7F}", "é", "→",
                                      "\u{2028}", "\u{2029}", "\u{2027}", "\u{202A}", "😀", "\u{301}"]
    for _ in 0..<500 {
      var s = String.UnicodeScalarView()
      for _ in 0..<Int.random(in: 0...24, using: &generator) {
        s.append(alphabet[Int.random(in: 0..<alphabet.count, using: &generator)])
      }
      let raw = String(s)
      var bytes = ByteText()
      bytes.appendJSONQuoted(raw)
      let parsed = try JSONSerialization.jsonObject(with: Data(bytes.bytes), options: [.fragmentsAllowed])
      #expect(parsed as? String == raw, "\(raw.debugDescription)")
    }
  }
}

/// Path helpers the renderers call for every volume, held to the `split` they replace.
@Suite struct PathPartTests {
  @Test func lastPathComponentIsTheLastNonEmptyPart() {
    for uri in ["", "/", "///", "disk", "/disk", "a/b/disk", "a/b/disk/", "a//b//", "/subscriptions/x/resourceGroups/rg/providers/Microsoft.Compute/disks/d-é"] {
      #expect(lastPathComponent(uri) == (uri.split(separator: "/").last.map(String.init) ?? uri), "\(uri)")
    }
  }

  @Test func resourceGroupIsFoundInAnyCase() throws {
    let runbook = RunbookRenderer(plan: try PlanSupport.demo().plan)
    #expect(runbook.resourceGroup(of: "/subscriptions/s/resourceGroups/rg-1/providers/p/disks/d") == "rg-1")
    #expect(runbook.resourceGroup(of: "/subscriptions/s/RESOURCEGROUPS/RG/providers") == "RG")
    #expect(runbook.resourceGroup(of: "/subscriptions/s/resourcegroups") == nil)
    #expect(runbook.resourceGroup(of: "/subscriptions/s/resourceGroupsX/rg") == nil)
    #expect(runbook.resourceGroup(of: "/subscriptions/s/resource@roups/rg") == nil)
    // Held to the split it replaces: the part after the first key among the non-empty parts.
    for uri in ["", "/", "resourceGroups", "resourceGroups/", "/resourceGroups//rg//", "resourceGroups/resourceGroups/x",
                "x/ResourceGroups/rg-é/y", "a/resourcegroups", "//resourceGroups/a/resourceGroups/b"] {
      let parts = uri.split(separator: "/")
      let i = parts.firstIndex { $0.lowercased() == "resourcegroups" }
      let expected = i.flatMap { $0 + 1 < parts.count ? String(parts[$0 + 1]) : nil }
      #expect(runbook.resourceGroup(of: uri) == expected, "\(uri)")
    }
  }
}

/// The byte test the renderers run on every line, held to `contains(where:)`.
@Suite struct ContainsByteTests {
  @Test func findsEitherByteAnywhere() {
    let texts = ["", "a", "|", "abc|def", "`", "é`", "line\nbreak", "carriage\r", "→ arrow", "no such byte here", "'", "it's"]
    for text in texts {
      for (a, b) in [(UInt8(ascii: "|"), UInt8(ascii: "`")), (0x0A, 0x0D), (0x27, 0x27)] {
        #expect(Text.containsByte(text, a, or: b) == text.utf8.contains { $0 == a || $0 == b }, "\(text)")
      }
    }
    #expect(Markdown.inline("a\nb\rc") == "a b c")
    #expect(Markdown.code("a|b`c") == "a\\|b'c")
  }
}
