/**
 * Talking to the Actions runner: the job summary and step outputs are files it names in the
 * environment; annotations and errors are workflow commands on stdout. Text from the pull request
 * reaches stdout only through `command`, which escapes it so it cannot start a command of its own.
 */
import { randomUUID } from "node:crypto";
import { appendFile } from "node:fs/promises";

/** Appends Markdown to the job summary (`GITHUB_STEP_SUMMARY`); false when the runner gave none. */
export async function appendSummary(env: NodeJS.ProcessEnv, markdown: string): Promise<boolean> {
  const file = env.GITHUB_STEP_SUMMARY;
  if (!file) return false;
  await appendFile(file, markdown.endsWith("\n") ? markdown : `${markdown}\n`, "utf8");
  return true;
}

/** Sets step outputs (`GITHUB_OUTPUT`), each as a heredoc with a delimiter no value contains. */
export async function setOutputs(env: NodeJS.ProcessEnv, outputs: Record<string, string>): Promise<void> {
  const file = env.GITHUB_OUTPUT;
  if (!file) return;
  let text = "";
  for (const [name, value] of Object.entries(outputs)) {
    let delimiter = `ghadelimiter_${randomUUID()}`;
    while (value.includes(delimiter)) delimiter = `ghadelimiter_${randomUUID()}`;
    text += `${name}<<${delimiter}\n${value}\n${delimiter}\n`;
  }
  await appendFile(file, text, "utf8");
}

export interface CommandProperties {
  file?: string;
  line?: number;
  title?: string;
}

/** `::warning file=a.yaml,line=3,title=...::message`, every part escaped as the runner expects. */
export function command(
  name: "error" | "warning" | "notice",
  message: string,
  properties: CommandProperties = {},
): string {
  const props = Object.entries(properties)
    .filter(([, value]) => value !== undefined && value !== "")
    .map(([key, value]) => `${key}=${escapeProperty(String(value))}`)
    .join(",");
  return `::${name}${props ? ` ${props}` : ""}::${escapeData(message)}\n`;
}

function escapeData(text: string): string {
  return text.replace(/%/g, "%25").replace(/\r/g, "%0D").replace(/\n/g, "%0A");
}

function escapeProperty(text: string): string {
  return escapeData(text).replace(/:/g, "%3A").replace(/,/g, "%2C");
}
