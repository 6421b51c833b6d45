# syntax=docker/dockerfile:1
# One image for the three apps; choose with APP (hyperrsi-api | grid-api | worker) or the first argument.

FROM node:20-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
# exactly the committed lockfile (npm ci fails when it is out of date with package.json)
RUN npm ci --no-audit --no-fund

FROM deps AS build
COPY tsconfig.json nest-cli.json ./
COPY apps ./apps
COPY libs ./libs
RUN npm run build && npm prune --omit=dev --no-audit --no-fund

FROM node:20-bookworm-slim AS runtime
# a 64 MB young generation: a request's garbage dies young instead of being promoted (see docs/adr/0020-fastify.md)
ENV NODE_ENV=production \
    APP=hyperrsi-api \
    NODE_OPTIONS=--max-semi-space-size=64
WORKDIR /app
COPY --from=build --chown=node:node /app/package.json ./package.json
COPY --from=build --chown=node:node /app/node_modules ./node_modules
COPY --from=build --chown=node:node /app/dist ./dist
COPY --chown=node:node scripts/start-app.js scripts/healthcheck.js ./scripts/
USER node
EXPOSE 8000 8012 8020
HEALTHCHECK --interval=15s --timeout=3s --start-period=30s --retries=3 CMD ["node", "scripts/healthcheck.js"]
STOPSIGNAL SIGTERM
ENTRYPOINT ["node", "scripts/start-app.js"]
