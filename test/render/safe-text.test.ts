import { describe, expect, it } from "@jest/globals";
import { codeBlock, escapeMarkdown, htmlText, inlineCode } from "../../src/render/safe-text.js";

describe("escaping", () => {
  it("breaks mentions and references and escapes HTML and Markdown", () => {
    expect(escapeMarkdown("@org/team and @user see #12 <b>x</b> *y* [l](u)")).toBe(
      "@\u200Borg/team and @\u200Buser see \\#\u200B12 &lt;b&gt;x&lt;/b&gt; \\*y\\* \\[l\\](u)",
    );
    expect(escapeMarkdown("- item")).toBe("\\- item");
    expect(escapeMarkdown("1. item")).toBe("1\\. item");
    expect(escapeMarkdown("a\nb")).toBe("a b");
  });

  it("fences code with more backticks than the content holds", () => {
    expect(inlineCode("a`b")).toBe("``a`b``");
    expect(inlineCode("`x`")).toBe("`` `x` ``");
    expect(codeBlock("```\n@team", "diff")).toBe("````diff\n```\n@\u200Bteam\n````");
  });

  it("escapes text inside HTML elements", () => {
    expect(htmlText('<a href="x">@me</a>')).toBe("&lt;a href=&quot;x&quot;&gt;@\u200Bme&lt;/a&gt;");
  });
});
