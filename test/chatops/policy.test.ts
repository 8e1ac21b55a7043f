import { describe, expect, it } from "@jest/globals";
import { ackPermissionRefusal } from "../../src/chatops/ack.js";
import { isBot, reviewRefusal } from "../../src/chatops/policy.js";

describe("chat-ops policy", () => {
  it("never answers bots, this App included", () => {
    expect(isBot({ login: "renovate[bot]" })).toBe(true);
    expect(isBot({ login: "ci-robot", type: "Bot" })).toBe(true);
    expect(isBot(null)).toBe(true);
    expect(isBot({ login: "octocat", type: "User" })).toBe(false);
  });

  it("lets the author, members and collaborators ask for a review, and anyone for /help", () => {
    const drive_by = { sender: "passer-by", author: "octocat", association: "NONE" };
    expect(reviewRefusal({ kind: "recheck" }, drive_by)).toContain("only the pull request's author");
    expect(reviewRefusal({ kind: "help", unknown: null }, drive_by)).toBeNull();
    expect(reviewRefusal({ kind: "recheck" }, { ...drive_by, sender: "OctoCat" })).toBeNull();
    expect(reviewRefusal({ kind: "explain" }, { ...drive_by, association: "COLLABORATOR" })).toBeNull();
  });

  it("checks the ack permission in one place: not the author, write access once known", () => {
    expect(ackPermissionRefusal("octocat", "OctoCat", "admin")).toBe("author");
    expect(ackPermissionRefusal("hubot", "octocat", null)).toBeNull();
    expect(ackPermissionRefusal("hubot", "octocat", "read")).toBe("permission");
    expect(ackPermissionRefusal("hubot", "octocat", "maintain")).toBeNull();
  });
});
