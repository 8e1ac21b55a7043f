/**
 * The external tools the review runs, at the versions the project is tested with (see
 * ../shared/TOOLCHAIN.md). The container image installs exactly these; a test keeps the
 * Dockerfile's pins and this table in step.
 */
export type ToolName = "helm" | "kubectl";

export const EXPECTED_TOOLS: Readonly<
  Record<ToolName, { version: string; envVar: string; versionArgs: string[] }>
> = {
  helm: { version: "4.1.4", envVar: "HELM_BIN", versionArgs: ["version", "--short"] },
  kubectl: { version: "1.35.2", envVar: "KUBECTL_BIN", versionArgs: ["version", "--client"] },
};
