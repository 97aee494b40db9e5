# A small image for Jobs, CronJobs and pipelines (deploy/job.yaml, deploy/cronjob.yaml): the static
# (musl) kubectl-drift binary; kubectl, which renders kustomizations; git and ssh for repositories
# given as URLs; CA certificates; and a non-root user.
#   docker build -t ghcr.io/kubectl-drift/kubectl-drift:0.1.0 .
# tests/cluster/static_binary.rs runs the Job's command line with the same static binary and
# kubectl against a real API server.
FROM rust:1.89-alpine AS build
RUN apk add --no-cache musl-dev
WORKDIR /src
COPY . .
RUN cargo build --release --locked --target x86_64-unknown-linux-musl \
 && cp target/x86_64-unknown-linux-musl/release/kubectl-drift /kubectl-drift

FROM alpine:3.22 AS kubectl
ARG KUBECTL_VERSION=v1.33.4
RUN apk add --no-cache curl \
 && curl -fsSLo /kubectl "https://dl.k8s.io/release/${KUBECTL_VERSION}/bin/linux/amd64/kubectl" \
 && echo "$(curl -fsSL "https://dl.k8s.io/release/${KUBECTL_VERSION}/bin/linux/amd64/kubectl.sha256")  /kubectl" | sha256sum -c - \
 && chmod 0755 /kubectl

FROM alpine:3.22
RUN apk add --no-cache git openssh-client ca-certificates \
 && adduser -D -u 65532 -h /home/drift drift
COPY --from=kubectl /kubectl /usr/local/bin/kubectl
COPY --from=build /kubectl-drift /usr/local/bin/kubectl-drift
USER 65532
ENV HOME=/home/drift
ENTRYPOINT ["kubectl-drift"]
CMD ["--help"]
