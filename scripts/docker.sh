#!/usr/bin/env bash
# docker.sh builds the Mirago toolchain image (Dockerfile) with a real
# Docker daemon, and tests it.
#
#	scripts/docker.sh build	build the image, tagged $MIRAGO_IMAGE (default mirago)
#	scripts/docker.sh test	build it, then run test/docker_test.go against it
#	scripts/docker.sh env	print the DOCKER_HOST and client the other two use
#
# The daemon is the one `docker info` reaches. If none answers and we are
# root, docker.sh starts Debian's dockerd (installing docker.io if need
# be) and leaves it running, as a service would be: its data under
# $MIRAGO_CACHE/docker, so that image layers and BuildKit's cache (which
# holds make.bash's output) outlive the checkout, and with no bridge and
# no iptables rules, so builds and runs use the host's network.
#
# The base image is debian:12 if the daemon has it or can pull it.
# Otherwise, as on a machine that reaches Debian's mirror but not Docker
# Hub, debootstrap makes the same release as a minimal base, imported as
# mirago-base:bookworm.
#
# Build arguments: GOPROXY, GOSUMDB and GOFLAGS from the environment are
# passed on, and become the image's defaults. $SSL_CERT_FILE, if set, is
# the CA bundle the build trusts for HTTPS (the Dockerfile's cacerts
# secret): where a proxy intercepts HTTPS, Debian's bundle in the base
# image does not know its CA.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

image=${MIRAGO_IMAGE:-mirago}
sock=/run/mirago-docker.sock

# client picks a docker command whose build uses BuildKit, which the
# Dockerfile's cache mount needs: one with the buildx plugin (Docker 23
# and later build with it), or Debian 12's docker.io client, which
# has BuildKit built in behind DOCKER_BUILDKIT=1.
client() {
	if docker buildx version >/dev/null 2>&1; then
		command -v docker
	elif [ -x /usr/bin/docker ] && [[ $(/usr/bin/docker version --format '{{.Client.Version}}' 2>/dev/null) == 20.* ]]; then
		echo /usr/bin/docker
	else
		return 1
	fi
}

install_pkgs() {
	[ "$(id -u)" = 0 ] && command -v apt-get >/dev/null ||
		die "$* missing; install it (on Debian: apt-get install $*)"
	echo "docker.sh: installing $*"
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "$@" >/dev/null ||
		{ apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "$@"; }
}

# daemon sets DOCKER_HOST to a daemon that answers, starting one if it
# must, and DOCKER to the client to use with it.
daemon() {
	DOCKER=$(client) || { install_pkgs docker.io && DOCKER=$(client); } ||
		die "no docker client that builds with BuildKit; install Debian's docker.io or Docker's buildx plugin"
	export DOCKER_BUILDKIT=1
	if "$DOCKER" info >/dev/null 2>&1; then
		return
	fi
	export DOCKER_HOST=unix://$sock
	if "$DOCKER" info >/dev/null 2>&1; then
		return
	fi
	[ "$(id -u)" = 0 ] || die "no Docker daemon answers, and only root can start one here"
	command -v dockerd >/dev/null || install_pkgs docker.io
	echo "docker.sh: starting dockerd (data in $cache/docker, log in $cache/dockerd.log)"
	mkdir -p "$cache/docker"
	# setsid and no inherited descriptors: the daemon must not hold make's
	# or CI's output open after we exit.
	setsid dockerd --host "$DOCKER_HOST" --data-root "$cache/docker" \
		--exec-root /run/mirago-docker --pidfile /run/mirago-docker.pid \
		--bridge none --iptables=false --ip6tables=false \
		</dev/null >>"$cache/dockerd.log" 2>&1 &
	for _ in $(seq 60); do
		"$DOCKER" info >/dev/null 2>&1 && return
		sleep 0.5
	done
	tail -n 20 "$cache/dockerd.log" >&2
	die "dockerd did not answer within 30 s; its log is above"
}

# base prints the base image to build on.
base() {
	local b=debian:12 tmp
	if "$DOCKER" image inspect "$b" >/dev/null 2>&1 || "$DOCKER" pull -q "$b" >/dev/null 2>&1; then
		echo "$b"
		return
	fi
	b=mirago-base:bookworm
	if ! "$DOCKER" image inspect "$b" >/dev/null 2>&1; then
		echo "docker.sh: debian:12 cannot be pulled; making $b with debootstrap" >&2
		command -v debootstrap >/dev/null || install_pkgs debootstrap >&2
		tmp=$(mktemp -d "$cache/debootstrap.XXXXXX")
		# The mirror and suites of Debian's own debian:12 image.
		debootstrap --variant=minbase bookworm "$tmp/root" http://deb.debian.org/debian >"$tmp/log" 2>&1 ||
			{ tail -n 20 "$tmp/log" >&2; rm -rf "$tmp"; die "debootstrap failed; its log is above"; }
		cat >"$tmp/root/etc/apt/sources.list" <<-'EOF'
			deb http://deb.debian.org/debian bookworm main
			deb http://deb.debian.org/debian bookworm-updates main
			deb http://deb.debian.org/debian-security bookworm-security main
		EOF
		rm -rf "$tmp"/root/var/cache/apt/archives/*.deb "$tmp"/root/var/lib/apt/lists/*
		tar -C "$tmp/root" -c . | "$DOCKER" import -c 'CMD ["bash"]' - "$b" >/dev/null
		rm -rf "$tmp"
	fi
	echo "$b"
}

build() {
	local b start
	b=$(base)
	start=$(date +%s)
	echo "docker.sh: building $image on $b"
	"$DOCKER" build --network host --build-arg "BASE=$b" \
		${GOPROXY:+--build-arg "GOPROXY=$GOPROXY"} \
		${GOSUMDB:+--build-arg "GOSUMDB=$GOSUMDB"} \
		${GOFLAGS:+--build-arg "GOFLAGS=$GOFLAGS"} \
		${SSL_CERT_FILE:+--secret "id=cacerts,src=$SSL_CERT_FILE"} \
		-t "$image" "$top"
	echo "docker.sh: built $image in $(($(date +%s) - start)) s," \
		"$("$DOCKER" image inspect -f '{{.Size}}' "$image" | awk '{ printf "%.0f MB", $1 / 1e6 }')"
}

case ${1:-} in
build)
	daemon
	build
	;;
test)
	daemon
	build
	cd "$top"
	MIRAGO_IMAGE=$image MIRAGO_DOCKER=$DOCKER \
		hostgo test -count=1 -v -tags dockerharness -run '^TestDocker' -timeout 30m ./test/
	;;
env)
	daemon
	echo "DOCKER_HOST=${DOCKER_HOST:-}"
	echo "DOCKER=$DOCKER"
	;;
*)
	echo "usage: scripts/docker.sh build|test|env" >&2
	exit 2
	;;
esac
