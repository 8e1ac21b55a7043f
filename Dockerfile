# The App as a service: `docker build -t gitops-review-bot .` then run with APP_ID, PRIVATE_KEY
# (or PRIVATE_KEY_PATH), WEBHOOK_SECRET and, for replicas, REDIS_URL. See docs/kubernetes.md.

FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json tsconfig.json tsconfig.build.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY src src
COPY rules rules
COPY bench bench
RUN npm run build

FROM node:20-bookworm-slim AS tools
# Official release binaries at the versions the review is tested with (src/server/tools.ts); the
# checksums are those of the binaries themselves, checked after unpacking.
ARG HELM_VERSION=4.1.4
ARG HELM_SHA256=210d576a6dc04b7864af4b5d9a5af58860bbc03d19174ffeddbd29d01d1b59a9
ARG KUBECTL_VERSION=1.35.2
ARG KUBECTL_SHA256=924eb50779153f20cb668117d141440b95df2f325a64452d78dff9469145e277
RUN apt-get update && apt-get install -y --no-install-recommends ca-certificates curl \
  && curl -fsSLo /tmp/helm.tgz "https://get.helm.sh/helm-v${HELM_VERSION}-linux-amd64.tar.gz" \
  && tar -xzf /tmp/helm.tgz -C /tmp \
  && install -m 0755 /tmp/linux-amd64/helm /usr/local/bin/helm \
  && echo "${HELM_SHA256}  /usr/local/bin/helm" | sha256sum -c - \
  && curl -fsSLo /usr/local/bin/kubectl "https://dl.k8s.io/release/v${KUBECTL_VERSION}/bin/linux/amd64/kubectl" \
  && chmod 0755 /usr/local/bin/kubectl \
  && echo "${KUBECTL_SHA256}  /usr/local/bin/kubectl" | sha256sum -c -

FROM node:20-bookworm-slim
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3000 \
    LOG_FORMAT=json \
    GITOPS_REVIEW_REQUIRE_TOOLS=true
WORKDIR /app
COPY --from=tools /usr/local/bin/helm /usr/local/bin/kubectl /usr/local/bin/
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist dist
COPY rules rules
COPY app.yml ./
USER node
EXPOSE 3000
HEALTHCHECK --interval=15s --timeout=3s --start-period=20s \
  CMD node -e "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
# What `npm start` runs; SIGTERM reaches node directly and drains the queue.
CMD ["node", "dist/src/server.js"]
