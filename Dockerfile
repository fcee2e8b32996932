# oom-doctor's image: compiled JavaScript and production dependencies only, run as a non-root user
# under tini (signals reach node, zombies are reaped), with a read-only root filesystem in mind
# (nothing is written outside /tmp). Probes live in the Kubernetes manifests, not here.

FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY jobs ./jobs
COPY bin ./bin
# `npm ci` runs the build through the prepare script; then drop the build-only packages.
RUN npm ci --no-audit --no-fund && npm prune --omit=dev --no-audit --no-fund

FROM node:20-bookworm-slim
# tini for signals; DejaVu fonts for the digest chart's labels.
RUN apt-get update \
 && apt-get install -y --no-install-recommends tini fonts-dejavu-core \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
ENV NODE_ENV=production
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /app/bin ./bin
# The image's `node` user (uid 1000), never root.
USER 1000:1000
EXPOSE 3000
ENTRYPOINT ["/usr/bin/tini", "--", "node", "bin/oom-doctor.js"]
CMD ["all"]
