# A Mirago toolchain image: the forked GOROOT, QEMU and the exec
# wrappers, so that `docker run ... go build` (and go run / go test) work
# with GOOS=xen. Untested: it was written on a machine without a Docker
# daemon (see README.md).
FROM debian:12

RUN apt-get update && \
	DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
		ca-certificates git golang-go make qemu-system-x86 && \
	rm -rf /var/lib/apt/lists/*

WORKDIR /mirago
COPY . .
# Fetches the bootstrap Go (scripts/bootstrap-go.sh) and pristine go1.27.4
# through the Go module proxy, then runs make.bash.
RUN make toolchain && \
	ln -s "$(readlink -f _build/goroot)" /usr/local/mirago

ENV PATH=/usr/local/mirago/bin:$PATH
WORKDIR /src
