import js from "@eslint/js";
import tseslint from "typescript-eslint";

/**
 * Import boundaries: data flows one way (source -> parse -> model -> diff -> knowledge and formats ->
 * engine -> rules and custom rules -> render -> gate and chat-ops -> front ends; the CEL language
 * sits below them all). A folder imports only from the
 * folders before it; nothing below the front ends imports probot, the CLI or the catalogue.
 */
const FOLDERS = [
  "cel",
  "source",
  "parse",
  "model",
  "diff",
  "k8s",
  "formats",
  "build",
  "engine",
  "custom-rules",
  "render",
  "gate",
  "chatops",
];
/** Folders each folder must not import, besides the front ends and the catalogue. */
const HIGHER = {
  // The CEL language (compile, input, time limit) knows nothing of reviews.
  cel: [
    "source",
    "parse",
    "model",
    "diff",
    "k8s",
    "formats",
    "build",
    "engine",
    "custom-rules",
    "render",
    "gate",
    "chatops",
  ],
  source: [
    "parse",
    "model",
    "diff",
    "k8s",
    "formats",
    "build",
    "engine",
    "custom-rules",
    "render",
    "gate",
    "chatops",
  ],
  parse: ["model", "diff", "k8s", "formats", "build", "engine", "custom-rules", "render", "gate", "chatops"],
  model: ["diff", "k8s", "formats", "build", "engine", "custom-rules", "render", "gate", "chatops"],
  diff: ["k8s", "formats", "build", "engine", "custom-rules", "render", "gate", "chatops"],
  // Kubernetes knowledge reads the model and parsed documents only.
  k8s: ["source", "diff", "formats", "build", "engine", "custom-rules", "render", "gate", "chatops"],
  formats: ["build", "engine", "custom-rules", "render", "gate", "chatops"],
  // The build stage renders what the formats found, for the engine to review.
  build: ["engine", "custom-rules", "render", "gate", "chatops"],
  engine: ["custom-rules", "render", "gate", "chatops"],
  // Rules built from the config: catalogue rules in all but their folder.
  "custom-rules": ["render", "gate", "chatops"],
  render: ["gate", "chatops", "engine/kit", "engine/rule-kit"],
  gate: ["chatops"],
  chatops: [],
};
const FRONT_ENDS = ["cli", "github", "action", "server", "queue", "review-worker", "index"];

function restricted(patterns) {
  return [
    "error",
    {
      patterns: patterns.map((group) =>
        group.regex
          ? { regex: group.regex, message: group.message }
          : { group: group.paths, message: group.message },
      ),
    },
  ];
}

/** Import specifiers that reach a folder (or a single module, `engine/rule-kit`) from one or two levels down. */
function folderPatterns(folders) {
  return folders.flatMap((name) =>
    ["**/src/", "../", "../../"].flatMap((prefix) => [
      `${prefix}${name}`,
      `${prefix}${name}.js`,
      `${prefix}${name}/**`,
    ]),
  );
}

const layerConfigs = FOLDERS.map((folder) => ({
  files: [`src/${folder}/**/*.ts`],
  rules: {
    "no-restricted-imports": restricted([
      {
        paths: ["probot", "probot/*"],
        message: "Only the front ends (src/github/, src/server.ts) know Probot.",
      },
      {
        paths: [...folderPatterns(FRONT_ENDS), "**/rules/**", "../../rules/**", "../../../rules/**"],
        message: "Lower layers never import the front ends or the rule catalogue: the front ends pass it in.",
      },
      ...(HIGHER[folder].length > 0
        ? [
            {
              paths: folderPatterns(HIGHER[folder]),
              message: `src/${folder}/ sits below these folders in the pipeline and must not import them.`,
            },
          ]
        : []),
    ]),
  },
}));

export default tseslint.config(
  { ignores: ["dist/", "node_modules/", "coverage/", "**/__fixtures__/**", "examples/", ".scratch/"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    // Plain JavaScript launchers run on Node.
    files: ["bin/**/*.js", "*.config.js"],
    languageOptions: { globals: { process: "readonly", console: "readonly" } },
  },
  {
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_" }],
      "@typescript-eslint/consistent-type-definitions": ["error", "interface"],
      "no-restricted-syntax": [
        "error",
        { selector: "TSEnumDeclaration", message: "Use a union of string literals." },
      ],
    },
  },
  ...layerConfigs,
  {
    // A rule reads shared knowledge from src/k8s/ and the kit, never another rule's folder.
    files: ["rules/*/**/*.ts"],
    rules: {
      "no-restricted-imports": restricted([
        {
          regex: String.raw`^\.\./(?!\.\./)`,
          message: "A rule never imports another rule's folder: move the helper to src/k8s/ or the rule kit.",
        },
        { paths: ["probot", "probot/*"], message: "Rules know nothing of Probot." },
        {
          paths: folderPatterns([...FRONT_ENDS, "render", "gate", "chatops"]),
          message: "Rules sit below the renderers and the front ends.",
        },
      ]),
    },
  },
  {
    files: ["src/cli/**/*.ts"],
    rules: {
      "no-restricted-imports": restricted([
        {
          paths: folderPatterns(["github", "server", "index"]),
          message: "The CLI and the App are separate front ends.",
        },
      ]),
    },
  },
  {
    files: ["src/github/**/*.ts"],
    rules: {
      "no-restricted-imports": restricted([
        { paths: folderPatterns(["cli"]), message: "The CLI and the App are separate front ends." },
      ]),
    },
  },
);
