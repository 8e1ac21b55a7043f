import { describe, expect, it } from "@jest/globals";
import { isOwnStickyComment } from "../../src/github/sticky-comment.js";
import { STICKY_MARKER } from "../../src/render/comment.js";

const app = { id: 4242, slug: "gitops-review-bot" };
const body = `${STICKY_MARKER}\n### GitOps Review`;

describe("isOwnStickyComment", () => {
  it.each([
    [
      "written by this App",
      { user: { login: "gitops-review-bot[bot]", type: "Bot" }, performed_via_github_app: { id: 4242 } },
      true,
    ],
    [
      "by this App's bot user (no app field)",
      { user: { login: "gitops-review-bot[bot]", type: "Bot" } },
      true,
    ],
    ["a person who pasted the marker", { user: { login: "mallory", type: "User" } }, false],
    [
      "another App quoting the marker",
      { user: { login: "other[bot]", type: "Bot" }, performed_via_github_app: { id: 7 } },
      false,
    ],
    ["another bot user", { user: { login: "renovate[bot]", type: "Bot" } }, false],
  ])("%s: %s", (_name, author, expected) => {
    expect(isOwnStickyComment({ id: 1, body, html_url: "", ...author } as never, app)).toBe(expected);
  });

  it("is never ours without the marker, or when the App does not know who it is", () => {
    const own = { id: 1, html_url: "", user: { login: "gitops-review-bot[bot]", type: "Bot" } };
    expect(isOwnStickyComment({ ...own, body: "### GitOps Review" } as never, app)).toBe(false);
    expect(isOwnStickyComment({ ...own, body } as never, null)).toBe(false);
  });

  it("with only the App id (from the App JWT): the id decides, the login never does", () => {
    const idOnly = { id: 4242, slug: "" };
    const user = { login: "gitops-review-bot[bot]", type: "Bot" };
    expect(
      isOwnStickyComment({ id: 1, html_url: "", body, user, performed_via_github_app: { id: 4242 } }, idOnly),
    ).toBe(true);
    expect(
      isOwnStickyComment({ id: 1, html_url: "", body, user, performed_via_github_app: { id: 7 } }, idOnly),
    ).toBe(false);
    expect(
      isOwnStickyComment({ id: 1, html_url: "", body, user: { login: "[bot]", type: "Bot" } }, idOnly),
    ).toBe(false);
    expect(isOwnStickyComment({ id: 1, html_url: "", body, user }, idOnly)).toBe(false);
  });
});
