# The Mirago toolchain as a container image: the forked GOROOT with its
# exec wrappers, and QEMU to boot what it builds, so that go build, go run
# and go test work with GOOS=xen inside the container:
#
#	docker run --rm -v "$PWD":/src -v mirago-go:/go -u "$(id -u):$(id -g)" \
#		-e GOOS=xen mirago go run .
#
# `make docker` builds it (scripts/docker.sh, which also makes the base
# image when Docker Hub is out of reach). It needs BuildKit: the default
# builder from Docker 23, DOCKER_BUILDKIT=1 with Debian 12's docker.io.
# Module downloads need the network: build with --network host where the
# daemon has no bridge.

ARG BASE=debian:12

# The build stage assembles and builds the GOROOT as on a host
# (scripts/goroot.sh), with Debian's Go only to fetch the bootstrap Go.
FROM ${BASE} AS build
ARG GOPROXY=https://proxy.golang.org,direct
ARG GOSUMDB=sum.golang.org
ARG GOFLAGS=
RUN apt-get update && \
	DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
		ca-certificates git golang-go && \
	rm -rf /var/lib/apt/lists/*
WORKDIR /mirago
COPY . .
# The cache mount keeps make.bash's output, the bootstrap Go and the
# module cache from one image build to the next, keyed as on a host by
# goroot.sh; the image gets only the assembled tree. The optional secret
# cacerts is a CA bundle to trust instead of Debian's, for a network
# whose HTTPS goes through an intercepting proxy (docker build --secret
# id=cacerts,src=FILE; scripts/docker.sh passes $SSL_CERT_FILE).
RUN --mount=type=cache,target=/cache --mount=type=secret,id=cacerts \
	if [ -f /run/secrets/cacerts ]; then export SSL_CERT_FILE=/run/secrets/cacerts; fi && \
	export MIRAGO_CACHE=/cache GOPATH=/cache/gopath GOCACHE=/cache/gocache && \
	PATH="$(scripts/bootstrap-go.sh):$PATH" scripts/goroot.sh && \
	cp -a "$(readlink -f _build/goroot)" /goroot

# The final stage has the GOROOT, QEMU for both architectures and git
# (for modules fetched directly from version control), and no bootstrap
# Go or build cache.
FROM ${BASE}
ARG GOPROXY=https://proxy.golang.org,direct
ARG GOSUMDB=sum.golang.org
ARG GOFLAGS=
RUN apt-get update && \
	DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
		ca-certificates git qemu-system-x86 qemu-system-arm && \
	rm -rf /var/lib/apt/lists/*
COPY --from=build /goroot /usr/local/mirago
# /go holds the module and build caches; mount a volume there to keep
# them between runs. Any user may write it, so that -u "$(id -u)" works
# and files written to a mounted /src belong to the caller.
RUN useradd --create-home --uid 1000 gopher && \
	mkdir -p /go/pkg/mod /go/cache /src && \
	chmod 1777 /go /go/pkg /go/pkg/mod /go/cache /src
# GOTOOLCHAIN=local: a go line in a user's go.mod must not swap this
# toolchain for an upstream one, which knows no GOOS=xen.
ENV PATH=/usr/local/mirago/bin:$PATH \
	GOPATH=/go \
	GOCACHE=/go/cache \
	GOTOOLCHAIN=local \
	GOPROXY=${GOPROXY} \
	GOSUMDB=${GOSUMDB} \
	GOFLAGS=${GOFLAGS}
USER gopher
WORKDIR /src
CMD ["go", "version"]
