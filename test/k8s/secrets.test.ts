import { describe, expect, it } from "@jest/globals";
import {
  collectSecretValues,
  createRedactor,
  isSecretKind,
  isSecretManifest,
  isSecretPath,
  MASK,
  maskValue,
} from "../../src/k8s/secrets.js";
import type { ParsedFile } from "../../src/parse/types.js";

/** One parsed head-side `values.yaml` holding these documents, as the secret collector reads it. */
function parsedValues(...documents: { file: string; kind: string; value: unknown }[]): ParsedFile[] {
  return [
    {
      file: "values.yaml",
      side: "head",
      format: "yaml",
      problems: [],
      documents: documents.map(({ file, kind, value }, index) => ({
        file,
        index,
        kind,
        line: 1,
        locations: new Map(),
        value,
      })),
    },
  ] as unknown as ParsedFile[];
}

describe("secrets", () => {
  it.each([
    ["auth.password", false, true],
    ["db.adminPassword", false, true],
    ["apiKey", false, true],
    ["tls.key", false, true],
    ["github.token", false, true],
    ["secrets.database", false, true],
    ["env[name=DB_PASSWORD].value", false, true],
    ["data.anything", true, true],
    ["tls[0].secretName", false, false],
    ["auth.existingSecret", false, false],
    ["env[name=DB_PASSWORD].valueFrom.secretKeyRef.name", false, false],
    ["image.tag", false, false],
    ["monkey", false, false],
    ["data.anything", false, false],
    ["env.ZIGBEE2MQTT_CONFIG_AVAILABILITY_PASSIVE_TIMEOUT", false, false],
    ["affinity.podAntiAffinity.topologyKey", false, false],
    ["receivers.pushover.token.key", false, false],
    ["spec.data.secretKey", false, true],
    ["tolerations[0].key", false, false],
  ])("%s (in a Secret: %s) is secret: %s", (path, inSecret, expected) => {
    expect(isSecretPath(path, inSecret)).toBe(expected);
  });

  it("masks nested values, env entries and token shapes", () => {
    expect(
      maskValue({
        auth: { password: "p", user: "u" },
        env: [
          { name: "API_TOKEN", value: "t" },
          { name: "MODE", value: "m" },
        ],
        note: "ghp_abcdefghijklmnopqrstuvwxyz0123456789",
      }),
    ).toEqual({
      auth: { password: MASK, user: "u" },
      env: [
        { name: "API_TOKEN", value: MASK },
        { name: "MODE", value: "m" },
      ],
      note: MASK,
    });
  });

  it("redacts collected values and inline assignments from free text", () => {
    const parsed = parsedValues(
      { file: "values.yaml", kind: "helm-values", value: { db: { password: "hunter2" } } },
      {
        file: "s.yaml",
        kind: "kubernetes-object",
        value: { apiVersion: "v1", kind: "Secret", data: { "tls.crt": "Y2VydGlmaWNhdGU=" } },
      },
    );
    const secrets = collectSecretValues(parsed);
    expect([...secrets].sort()).toEqual(["Y2VydGlmaWNhdGU=", "hunter2"]);
    const redact = createRedactor(secrets);
    expect(redact("error near `password: hunter2` and token=abc123 in secret.yaml:6")).toBe(
      `error near \`password: ${MASK}\` and token=${MASK} in secret.yaml:6`,
    );
  });
});

describe("collected secret values", () => {
  it("skips references: templates, substitution variables, SOPS ciphertext and file names", () => {
    const parsed = parsedValues({
      file: "values.yaml",
      kind: "helm-values",
      value: {
        grafana: { adminPassword: "{{ .GF_SECURITY_ADMIN_PASSWORD }}" },
        pushover: { token: "${PUSHOVER_TOKEN}", userKey: "ENC[AES256_GCM,data:abc=]" },
        pushSecret: { secretKey: "tls.crt" },
        db: { password: "s3cr3t-value" },
      },
    });
    expect([...collectSecretValues(parsed)]).toEqual(["s3cr3t-value"]);
  });
});

describe("one Kubernetes Secret check", () => {
  it("is the core group's Secret only", () => {
    expect(isSecretKind("", "Secret")).toBe(true);
    expect(isSecretKind("bitnami.com", "Secret")).toBe(false);
    expect(isSecretManifest({ apiVersion: "v1", kind: "Secret", data: {} })).toBe(true);
    expect(isSecretManifest({ apiVersion: "external-secrets.io/v1", kind: "Secret" })).toBe(false);
    expect(isSecretManifest("Secret")).toBe(false);
  });
});
