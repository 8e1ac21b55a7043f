/**
 * The external tools the review runs, as the build stage pins them (src/build/embedded-tools.ts):
 * the container image installs exactly these versions, and a test keeps the Dockerfile in step.
 */
import { EMBEDDED } from "../build/embedded-tools.js";

export type ToolName = "helm" | "kubectl";

export const EXPECTED_TOOLS: Readonly<
  Record<ToolName, { version: string; sha256: string; envVar: string; versionArgs: string[] }>
> = {
  helm: {
    version: EMBEDDED.helm.version.replace(/^v/, ""),
    sha256: EMBEDDED.helm.sha256,
    envVar: "GITOPS_REVIEW_HELM",
    versionArgs: ["version", "--short"],
  },
  kubectl: {
    version: EMBEDDED.kubectl.version.replace(/^v/, ""),
    sha256: EMBEDDED.kubectl.sha256,
    envVar: "GITOPS_REVIEW_KUBECTL",
    versionArgs: ["version", "--client"],
  },
};
