# gobgpd for the speaker's sidecar: Debian 12's gobgpd 3.10, whose v3 gRPC API gobgp-bridge speaks
# (GoBGP v4 renamed that API). Build: docker build -f gobgpd.Dockerfile -t ledgerlb-gobgpd:3.10 .
FROM debian:bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends gobgpd && rm -rf /var/lib/apt/lists/*
ENTRYPOINT ["/usr/bin/gobgpd"]
