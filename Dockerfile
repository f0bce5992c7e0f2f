# Bifrost: Chainlink External Adapter + chain event publisher, in one image.
# Build stage compiles TypeScript; the runtime stage holds only production dependencies and dist/src.

FROM node:22-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# Scripts are skipped: the `node` devDependency would fetch a second Node 22 we don't need here.
RUN npm ci --ignore-scripts --omit=optional --no-audit --no-fund
COPY tsconfig.json ./
COPY src ./src
RUN node_modules/.bin/tsc -p .

FROM node:22-slim
# The status page and API listen on all interfaces in a container: HTTP_TOKEN is then required (start-up says so).
ENV NODE_ENV=production \
    EA_PORT=8080 \
    METRICS_PORT=9080 \
    HTTP_HOST=0.0.0.0 \
    HTTP_PORT=8081
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --omit=optional --ignore-scripts --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist/src ./dist/src
COPY adapter.json ./
COPY web ./web
# The streaming bridge loads its protocol at start-up.
COPY proto ./proto
USER node
# 8081: the status page and operator API (http.port); 8090: the gRPC streaming bridge (streams.port)
EXPOSE 8080 8081 9080 8090
HEALTHCHECK --interval=15s --timeout=3s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.EA_PORT||8080)+'/health').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
ENTRYPOINT ["node", "dist/src/cli/main.js"]
CMD ["serve"]
