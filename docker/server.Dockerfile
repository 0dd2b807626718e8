# fleetban server (API, agent gateway and ban engine workers; FLEETBAN_ROLE picks api, worker or all).
# Build from the repository root: docker build -f docker/server.Dockerfile -t fleetban-server .
FROM node:20-bookworm-slim AS build
WORKDIR /src
COPY package.json package-lock.json ./
# Skip lifecycle scripts here: prepare builds, and the sources are not copied yet.
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY . .
RUN node scripts/build.mjs && npm prune --omit=dev --ignore-scripts

FROM node:20-bookworm-slim
ENV NODE_ENV=production
WORKDIR /opt/fleetban
COPY --from=build /src/package.json ./
COPY --from=build /src/node_modules ./node_modules
COPY --from=build /src/dist ./dist
COPY --from=build /src/bin ./bin
COPY --from=build /src/prisma ./prisma
USER node
EXPOSE 8420
# Liveness over loopback, in HTTPS when the instance serves TLS itself (its certificate names the public host,
# not 127.0.0.1: not verified here).
HEALTHCHECK --interval=10s --timeout=3s CMD node -e "require(process.env.FLEETBAN_TLS_CERT?'https':'http').get({host:'127.0.0.1',port:process.env.FLEETBAN_PORT||8420,path:'/health/live',rejectUnauthorized:false},r=>process.exit(r.statusCode===200?0:1)).on('error',()=>process.exit(1))"
ENTRYPOINT ["node", "bin/fleetban-server.js"]
CMD ["start"]
