/**
 * The rule catalogue, sorted by id. A rule is active only when it is listed here; the catalogue
 * test fails for a rule folder that is not.
 */
import type { Rule } from "../src/engine/types.js";
import { rule as acmeStorageNotPersisted } from "./acme-storage-not-persisted/rule.js";
import { rule as argocdAppDeletedWithFinalizer } from "./argocd-app-deleted-with-finalizer/rule.js";
import { rule as argocdPruneEnabled } from "./argocd-prune-enabled/rule.js";
import { rule as certIssuerChanged } from "./cert-issuer-changed/rule.js";
import { rule as certificateNamesChanged } from "./certificate-names-changed/rule.js";
import { rule as chartUpgradeMixedWithChanges } from "./chart-upgrade-mixed-with-changes/rule.js";
import { rule as crdDeleted } from "./crd-deleted/rule.js";
import { rule as deprecatedApiVersion } from "./deprecated-api-version/rule.js";
import { rule as fluxKustomizationPrunePathChanged } from "./flux-kustomization-prune-path-changed/rule.js";
import { rule as gitopsSourceChanged } from "./gitops-source-changed/rule.js";
import { rule as imageTagDowngraded } from "./image-tag-downgraded/rule.js";
import { rule as immutableFieldChanged } from "./immutable-field-changed/rule.js";
import { rule as ingressAnnotationsChanged } from "./ingress-annotations-changed/rule.js";
import { rule as ingressControllerRemoved } from "./ingress-controller-removed/rule.js";
import { rule as ingressHostsOrTlsChanged } from "./ingress-hosts-or-tls-changed/rule.js";
import { rule as lbAddressPoolChanged } from "./lb-address-pool-changed/rule.js";
import { rule as loadbalancerServiceChanged } from "./loadbalancer-service-changed/rule.js";
import { rule as mutableImageTag } from "./mutable-image-tag/rule.js";
import { rule as namespaceDeleted } from "./namespace-deleted/rule.js";
import { rule as newPublicEndpoint } from "./new-public-endpoint/rule.js";
import { rule as parseProblem } from "./parse-problem/rule.js";
import { rule as pdbRemoved } from "./pdb-removed/rule.js";
import { rule as persistenceDisabled } from "./persistence-disabled/rule.js";
import { rule as plaintextSecret } from "./plaintext-secret/rule.js";
import { rule as privilegedOrHostAccess } from "./privileged-or-host-access/rule.js";
import { rule as pvcChanged } from "./pvc-changed/rule.js";
import { rule as rbacWidened } from "./rbac-widened/rule.js";
import { rule as releaseRemoved } from "./release-removed/rule.js";
import { rule as releaseReplaced } from "./release-replaced/rule.js";
import { rule as replicasScaledToZero } from "./replicas-scaled-to-zero/rule.js";
import { rule as replicasShareRwoVolume } from "./replicas-share-rwo-volume/rule.js";
import { rule as reviewConfigWeakened } from "./review-config-weakened/rule.js";
import { rule as valuesKeyRenamed } from "./values-key-renamed/rule.js";
import { rule as volumeMountsChanged } from "./volume-mounts-changed/rule.js";
import { rule as volumeShadowsPersistence } from "./volume-shadows-persistence/rule.js";
import { rule as workloadKindChanged } from "./workload-kind-changed/rule.js";

export const rules: readonly Rule[] = [
  acmeStorageNotPersisted,
  argocdAppDeletedWithFinalizer,
  argocdPruneEnabled,
  certIssuerChanged,
  certificateNamesChanged,
  chartUpgradeMixedWithChanges,
  crdDeleted,
  deprecatedApiVersion,
  fluxKustomizationPrunePathChanged,
  gitopsSourceChanged,
  imageTagDowngraded,
  immutableFieldChanged,
  ingressAnnotationsChanged,
  ingressControllerRemoved,
  ingressHostsOrTlsChanged,
  lbAddressPoolChanged,
  loadbalancerServiceChanged,
  mutableImageTag,
  namespaceDeleted,
  newPublicEndpoint,
  parseProblem,
  pdbRemoved,
  persistenceDisabled,
  plaintextSecret,
  privilegedOrHostAccess,
  pvcChanged,
  rbacWidened,
  releaseRemoved,
  releaseReplaced,
  replicasScaledToZero,
  replicasShareRwoVolume,
  reviewConfigWeakened,
  valuesKeyRenamed,
  volumeMountsChanged,
  volumeShadowsPersistence,
  workloadKindChanged,
];
