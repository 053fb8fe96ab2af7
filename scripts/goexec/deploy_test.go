// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package main

import (
	"archive/tar"
	"bytes"
	"crypto/sha256"
	"debug/elf"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"mirago.dev/sys/pvh"
)

// pvhImage writes an ELF that checkImage accepts: x86-64, with a PVH
// entry note and nothing to run. The contents follow, so that the OCI
// test can find them again.
func pvhImage(t *testing.T, name string) string {
	t.Helper()
	const ehsize, phsize = 64, 56
	note := pvh.AppendNote(nil, pvh.Note{
		Name: pvh.NoteName, Type: pvh.NotePhys32Entry,
		Desc: binary.LittleEndian.AppendUint64(nil, 0x100000),
	})
	hdr := elf.Header64{
		Type: uint16(elf.ET_EXEC), Machine: uint16(elf.EM_X86_64), Version: uint32(elf.EV_CURRENT),
		Entry: 0x100000, Phoff: ehsize, Ehsize: ehsize, Phentsize: phsize, Phnum: 1,
	}
	copy(hdr.Ident[:], elf.ELFMAG)
	hdr.Ident[elf.EI_CLASS] = byte(elf.ELFCLASS64)
	hdr.Ident[elf.EI_DATA] = byte(elf.ELFDATA2LSB)
	hdr.Ident[elf.EI_VERSION] = byte(elf.EV_CURRENT)
	prog := elf.Prog64{Type: uint32(elf.PT_NOTE), Off: ehsize + phsize, Filesz: uint64(len(note)), Memsz: uint64(len(note)), Align: 4}
	var b bytes.Buffer
	binary.Write(&b, binary.LittleEndian, hdr)
	binary.Write(&b, binary.LittleEndian, prog)
	b.Write(note)
	b.WriteString("some code and data \x00\xff")
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, b.Bytes(), 0o755); err != nil {
		t.Fatal(err)
	}
	return p
}

// deployOut runs mirago-exec deploy with args and returns its standard
// output, failing the test unless it succeeds.
func deployOut(t *testing.T, args ...string) []byte {
	t.Helper()
	var stdout, stderr bytes.Buffer
	if code := run(append([]string{"mirago-exec", "deploy"}, args...), env(nil), &stdout, &stderr); code != 0 || stderr.Len() > 0 {
		t.Fatalf("deploy %q: exit status %d, stderr:\n%s", args, code, stderr.String())
	}
	return stdout.Bytes()
}

// TestDeployQEMU runs the script against a fake QEMU that records its
// arguments, so that sh's own reading of the quoting is checked: they
// must be qemuArgs' for the image, then the script's arguments.
func TestDeployQEMU(t *testing.T) {
	img := pvhImage(t, "web")
	argsFile := fakeQEMU(t, "exit 7")
	t.Setenv("PATH", filepath.Dir(argsFile)+string(os.PathListSeparator)+"/usr/bin:/bin")
	autoKVM, _ := useKVM("auto")
	net := "user,hostfwd=tcp:127.0.0.1:8080-:80"
	tests := []struct {
		accel string
		kvm   bool
	}{
		{"tcg", false},
		{"kvm", true},
		{"auto", autoKVM},
	}
	for _, tt := range tests {
		t.Run(tt.accel, func(t *testing.T) {
			script := filepath.Join(t.TempDir(), "web.sh")
			progArgs := []string{"-addr", ":80", "two words", `it's "quoted" \ $HOME`, ""}
			out := deployOut(t, append([]string{"qemu", "-accel", tt.accel, "-mem", "1G", "-cpus", "2", "-net", net,
				"-env", "GOGC=50", "-env", "MSG=a b", img}, progArgs...)...)
			if !bytes.HasPrefix(out, []byte("#!/bin/sh\n")) {
				t.Fatalf("script does not start with #!/bin/sh:\n%s", out)
			}
			if err := os.WriteFile(script, out, 0o755); err != nil {
				t.Fatal(err)
			}
			err := exec.Command(script, "-name", "a'b").Run()
			if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 7 {
				t.Fatalf("script: %v, want QEMU's exit status 7\n%s", err, out)
			}
			got, err := os.ReadFile(argsFile)
			if err != nil {
				t.Fatal(err)
			}
			cmdline, err := encodeCmdline([]string{"GOGC=50", "MSG=a b"}, append([]string{"web"}, progArgs...))
			if err != nil {
				t.Fatal(err)
			}
			netdev, _ := netArgs(net)
			want := append(qemuArgs(img, cmdline, "1024M", 2, tt.kvm, "", netdev), "-name", "a'b")
			if diff := cmp.Diff(want, strings.Split(strings.TrimSuffix(string(got), "\n"), "\n")); diff != "" {
				t.Errorf("QEMU's arguments (-want +got):\n%s\nscript:\n%s", diff, out)
			}
			if tt.accel == "auto" && !bytes.Contains(out, []byte("-accel kvm")) {
				t.Errorf("-accel auto: the script lacks the KVM command line:\n%s", out)
			}
		})
	}
}

// TestDeployQEMUArm64: for an arm64 Image the script runs
// qemu-system-aarch64 as go_xen_arm64_exec does, under TCG whatever
// -accel says (auto or tcg), and QEMU's status is the program's.
func TestDeployQEMUArm64(t *testing.T) {
	img := arm64Image(t)
	argsFile := fakeQEMUNamed(t, "qemu-system-aarch64", "exit 7")
	t.Setenv("PATH", filepath.Dir(argsFile)+string(os.PathListSeparator)+"/usr/bin:/bin")
	net := "user,hostfwd=tcp:127.0.0.1:8080-:80"
	out := deployOut(t, "qemu", "-mem", "512M", "-net", net, "-env", "GOGC=50", img, "a b")
	script := filepath.Join(t.TempDir(), "hello.sh")
	if err := os.WriteFile(script, out, 0o755); err != nil {
		t.Fatal(err)
	}
	err := exec.Command(script, "-d", "int").Run()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 7 {
		t.Fatalf("script: %v, want QEMU's exit status 7\n%s", err, out)
	}
	got, err := os.ReadFile(argsFile)
	if err != nil {
		t.Fatal(err)
	}
	cmdline, _ := encodeCmdline([]string{"GOGC=50"}, []string{"hello.arm64", "a b"})
	netdev, _ := netArgs(net)
	want := append(qemuArm64Args(img, cmdline, "512M", 1, netdev), "-d", "int")
	if diff := cmp.Diff(want, strings.Split(strings.TrimSuffix(string(got), "\n"), "\n")); diff != "" {
		t.Errorf("QEMU's arguments (-want +got):\n%s\nscript:\n%s", diff, out)
	}
}

// TestDeployOCIArm64: an arm64 Image's container image is for arm64
// nodes, in its index and in its configuration.
func TestDeployOCIArm64(t *testing.T) {
	files, _ := readTar(t, deployOut(t, "oci", arm64Image(t)))
	var index ociIndex
	if err := json.Unmarshal(files["index.json"], &index); err != nil || len(index.Manifests) != 1 {
		t.Fatalf("index.json: %v: %s", err, files["index.json"])
	}
	md := index.Manifests[0]
	if md.Platform == nil || *md.Platform != ociPlatformOf("arm64") {
		t.Errorf("index.json's manifest's platform: %+v", md.Platform)
	}
	var manifest ociManifest
	if err := json.Unmarshal(blob(t, files, md), &manifest); err != nil {
		t.Fatal(err)
	}
	var config ociConfig
	if err := json.Unmarshal(blob(t, files, manifest.Config), &config); err != nil {
		t.Fatal(err)
	}
	if config.ociPlatform != ociPlatformOf("arm64") {
		t.Errorf("config's platform: %+v", config.ociPlatform)
	}
}

// TestDeployQEMUStandalone: the script needs nothing of the wrapper's,
// neither its monitor socket nor the archive of the working directory.
func TestDeployQEMUStandalone(t *testing.T) {
	out := string(deployOut(t, "qemu", pvhImage(t, "hello")))
	for _, bad := range []string{"-monitor", "-initrd", "PWD=", "tsc_khz="} {
		if strings.Contains(out, bad) {
			t.Errorf("script has %q:\n%s", bad, out)
		}
	}
}

// xlSettings reads a configuration that harness.XLConfig writes: one
// NAME = VALUE to a line, strings in double quotes with backslash
// escapes, lists in brackets.
func xlSettings(t *testing.T, cfg string) map[string]string {
	t.Helper()
	m := make(map[string]string)
	for _, line := range strings.Split(strings.TrimSuffix(cfg, "\n"), "\n") {
		if strings.HasPrefix(line, "#") {
			continue
		}
		k, v, ok := strings.Cut(line, " = ")
		if !ok {
			t.Fatalf("line %q is not NAME = VALUE", line)
		}
		if _, dup := m[k]; dup {
			t.Errorf("%s set twice", k)
		}
		if s, err := strconv.Unquote(v); err == nil {
			v = s
		}
		m[k] = v
	}
	return m
}

func TestDeployXL(t *testing.T) {
	img := pvhImage(t, "web.xen")
	cfg := string(deployOut(t, "xl", "-name", "web", "-mem", "128", "-cpus", "2", "-bridge", "xenbr0", "-disk", "/dev/vg0/web",
		"-kernel", "/srv/web.xen", "-env", "TZ=UTC", img, "-addr", ":80", `say "hi"`))
	got := xlSettings(t, cfg)
	want := map[string]string{
		"name":        "web",
		"type":        "pvh",
		"kernel":      "/srv/web.xen",
		"extra":       `TZ=UTC -- web -addr :80 "say \"hi\""`,
		"memory":      "128",
		"vcpus":       "2",
		"tsc_mode":    "native",
		"vif":         `[ "bridge=xenbr0" ]`,
		"disk":        `[ "format=raw,vdev=xvda,access=rw,target=/dev/vg0/web" ]`,
		"on_poweroff": "destroy",
		"on_reboot":   "destroy",
		"on_crash":    "destroy",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("settings (-want +got):\n%s\n%s", diff, cfg)
	}

	// As runXL writes it, less the archive; no network or disk unless
	// asked for.
	cfg = string(deployOut(t, "xl", img))
	got = xlSettings(t, cfg)
	abs, _ := filepath.Abs(img)
	if got["kernel"] != abs || got["name"] != "web.xen" || got["memory"] != "256" || got["extra"] != "-- web.xen" {
		t.Errorf("defaults: %v", got)
	}
	for _, k := range []string{"vif", "disk", "ramdisk"} {
		if _, ok := got[k]; ok {
			t.Errorf("%s set without a flag for it:\n%s", k, cfg)
		}
	}
	runXLs := xenConfig{memMiB: 256}.xlConfig("web.xen", abs, "-- web.xen", "").String()
	if cfg != runXLs {
		t.Errorf("deploy xl wrote\n%s\nrunXL would write\n%s", cfg, runXLs)
	}

	// An arm64 Image is an Arm domain: no type or TSC, an SBSA UART.
	arm := arm64Image(t)
	got = xlSettings(t, string(deployOut(t, "xl", "-name", "web", "-kernel", "/srv/web.img", arm)))
	want = map[string]string{
		"name":        "web",
		"kernel":      "/srv/web.img",
		"extra":       "-- web",
		"memory":      "256",
		"vcpus":       "1",
		"vuart":       "sbsa_uart",
		"on_poweroff": "destroy",
		"on_reboot":   "destroy",
		"on_crash":    "destroy",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("arm64 settings (-want +got):\n%s", diff)
	}
}

func TestDeployFirecracker(t *testing.T) {
	img := pvhImage(t, "api")
	var got map[string]any
	out := deployOut(t, "firecracker", "-mem", "2G", "-cpus", "4", "-tap", "tap7", "-mac", "06:00:ac:10:00:02", img, "-v")
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatalf("%v:\n%s", err, out)
	}
	abs, _ := filepath.Abs(img)
	want := map[string]any{
		"boot-source":    map[string]any{"kernel_image_path": abs, "boot_args": "-- api -v"},
		"drives":         []any{},
		"machine-config": map[string]any{"vcpu_count": 4.0, "mem_size_mib": 2048.0},
		"network-interfaces": []any{
			map[string]any{"iface_id": "eth0", "host_dev_name": "tap7", "guest_mac": "06:00:ac:10:00:02"},
		},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("configuration (-want +got):\n%s\n%s", diff, out)
	}

	got = nil
	out = deployOut(t, "firecracker", "-kernel", "vmlinux", img)
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatalf("%v:\n%s", err, out)
	}
	if _, ok := got["network-interfaces"]; ok {
		t.Errorf("network-interfaces without -tap:\n%s", out)
	}
	if bs := got["boot-source"].(map[string]any); bs["kernel_image_path"] != "vmlinux" {
		t.Errorf("-kernel vmlinux: boot-source %v", bs)
	}
}

// readTar returns the regular files of a tar archive by name, and the
// names of all entries in order.
func readTar(t *testing.T, b []byte) (files map[string][]byte, names []string) {
	t.Helper()
	files = make(map[string][]byte)
	tr := tar.NewReader(bytes.NewReader(b))
	for {
		hdr, err := tr.Next()
		if err == io.EOF {
			return files, names
		}
		if err != nil {
			t.Fatalf("reading tar: %v", err)
		}
		names = append(names, hdr.Name)
		if hdr.Typeflag == tar.TypeReg {
			data, err := io.ReadAll(tr)
			if err != nil {
				t.Fatal(err)
			}
			if hdr.Mode&0o444 != 0o444 || hdr.Uid != 0 || hdr.Gid != 0 {
				t.Errorf("%s: mode %o, owner %d:%d; want world-readable, root's", hdr.Name, hdr.Mode, hdr.Uid, hdr.Gid)
			}
			files[hdr.Name] = data
		}
	}
}

// blob returns the blob d names from the layout's files, checking its
// size and digest.
func blob(t *testing.T, files map[string][]byte, d ociDescriptor) []byte {
	t.Helper()
	hexSum, ok := strings.CutPrefix(d.Digest, "sha256:")
	if !ok {
		t.Fatalf("digest %q is not sha256", d.Digest)
	}
	b, ok := files["blobs/sha256/"+hexSum]
	if !ok {
		t.Fatalf("no blob %s in the archive", d.Digest)
	}
	if sum := sha256.Sum256(b); hex.EncodeToString(sum[:]) != hexSum || int64(len(b)) != d.Size {
		t.Fatalf("blob %s: sha256 %x, %d bytes; descriptor says %d bytes", d.Digest, sum, len(b), d.Size)
	}
	return b
}

func TestDeployOCI(t *testing.T) {
	img := pvhImage(t, "Hello")
	kernel, err := os.ReadFile(img)
	if err != nil {
		t.Fatal(err)
	}
	out := deployOut(t, "oci", "-env", "GODEBUG=x=1", img, "a b")
	files, _ := readTar(t, out)
	const wantCmdline = `GODEBUG=x=1 -- Hello "a b"`

	if got := string(files["oci-layout"]); got != `{"imageLayoutVersion":"1.0.0"}`+"\n" {
		t.Errorf("oci-layout = %q", got)
	}
	var index ociIndex
	if err := json.Unmarshal(files["index.json"], &index); err != nil {
		t.Fatalf("index.json: %v", err)
	}
	if index.SchemaVersion != 2 || index.MediaType != ociIndexType || len(index.Manifests) != 1 {
		t.Fatalf("index.json: %s", files["index.json"])
	}
	md := index.Manifests[0]
	if md.MediaType != ociManifestType || md.Annotations["io.containerd.image.name"] != "docker.io/library/hello:latest" ||
		md.Annotations["org.opencontainers.image.ref.name"] != "latest" || md.Platform == nil || *md.Platform != ociPlatformOf("amd64") {
		t.Errorf("index.json's manifest: %+v", md)
	}
	var manifest ociManifest
	if err := json.Unmarshal(blob(t, files, md), &manifest); err != nil {
		t.Fatal(err)
	}
	if manifest.SchemaVersion != 2 || manifest.MediaType != ociManifestType || manifest.Config.MediaType != ociConfigType ||
		len(manifest.Layers) != 1 || manifest.Layers[0].MediaType != ociLayerType {
		t.Fatalf("manifest: %+v", manifest)
	}
	var config ociConfig
	if err := json.Unmarshal(blob(t, files, manifest.Config), &config); err != nil {
		t.Fatal(err)
	}
	if config.ociPlatform != ociPlatformOf("amd64") || config.RootFS.Type != "layers" ||
		!slices.Equal(config.RootFS.DiffIDs, []string{manifest.Layers[0].Digest}) ||
		config.Config.Labels["dev.mirago.cmdline"] != wantCmdline || config.Config.Labels["dev.mirago.kernel"] != "/boot/kernel" {
		t.Errorf("config: %+v", config)
	}

	layer, names := readTar(t, blob(t, files, manifest.Layers[0]))
	if want := []string{"boot/", "boot/kernel", "boot/cmdline"}; !slices.Equal(names, want) {
		t.Errorf("layer holds %q, want %q", names, want)
	}
	if !bytes.Equal(layer["boot/kernel"], kernel) {
		t.Errorf("boot/kernel differs from the image: %d bytes, want %d", len(layer["boot/kernel"]), len(kernel))
	}
	if got := string(layer["boot/cmdline"]); got != wantCmdline+"\n" {
		t.Errorf("boot/cmdline = %q, want %q", got, wantCmdline+"\n")
	}

	// The docker save view of the same blobs.
	var docker []dockerManifest
	if err := json.Unmarshal(files["manifest.json"], &docker); err != nil {
		t.Fatalf("manifest.json: %v", err)
	}
	want := []dockerManifest{{Config: blobPath(manifest.Config), RepoTags: []string{"hello:latest"}, Layers: []string{blobPath(manifest.Layers[0])}}}
	if diff := cmp.Diff(want, docker); diff != "" {
		t.Errorf("manifest.json (-want +got):\n%s", diff)
	}

	// The same input makes the same archive, so the same digests.
	if again := deployOut(t, "oci", "-env", "GODEBUG=x=1", img, "a b"); !bytes.Equal(again, out) {
		t.Errorf("a second deploy oci wrote a different archive")
	}
}

// TestDeployOutputDir: -o writes DIR/NAME.EXT, the script executable.
func TestDeployOutputDir(t *testing.T) {
	img := pvhImage(t, "svc")
	dir := filepath.Join(t.TempDir(), "out")
	for _, k := range deployKinds {
		out := deployOut(t, k.kind, "-o", dir, "-name", "web", img)
		if len(out) != 0 {
			t.Errorf("deploy %s -o: wrote %d bytes to standard output", k.kind, len(out))
		}
		fi, err := os.Stat(filepath.Join(dir, "web"+k.ext))
		if err != nil {
			t.Errorf("deploy %s -o: %v", k.kind, err)
			continue
		}
		if x := fi.Mode()&0o100 != 0; x != (k.kind == "qemu") {
			t.Errorf("deploy %s -o: web%s has mode %v", k.kind, k.ext, fi.Mode())
		}
	}
}

func TestDeployErrors(t *testing.T) {
	img := pvhImage(t, "app")
	notELF := filepath.Join(t.TempDir(), "notelf")
	os.WriteFile(notELF, []byte("#!/bin/sh\n"), 0o755)
	hostELF, err := os.Executable() // this test binary: no PVH note
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		args []string
		want string // regexp matching stderr
	}{
		{nil, `usage: mirago-exec deploy KIND`},
		{[]string{"vmware", img}, `usage: mirago-exec deploy KIND`},
		{[]string{"qemu"}, `usage: mirago-exec deploy qemu`},
		{[]string{"qemu", "/nonexistent"}, `cannot read image`},
		{[]string{"xl", notELF}, `not an ELF image`},
		{[]string{"firecracker", hostELF}, `no PVH entry note`},
		{[]string{"qemu", "-mem", "lots", img}, `-mem "lots": want a size`},
		{[]string{"qemu", "-accel", "hvf", img}, `-accel "hvf": want kvm, tcg or auto`},
		{[]string{"xl", "-cpus", "0", img}, `-cpus 0: want a number of CPUs from 1 to 16`},
		{[]string{"firecracker", "-cpus", "17", img}, `-cpus 17: want a number of CPUs from 1 to 16`},
		{[]string{"oci", "-cpus", "2", img}, `flag provided but not defined: -cpus`},
		{[]string{"qemu", "-net", "user,id=x", img}, `-net "user,id=x": leave out the id`},
		{[]string{"qemu", "-env", "NOEQUALS", img}, `invalid value "NOEQUALS" for flag -env: want NAME=VALUE`},
		{[]string{"qemu", img, "line\nbreak"}, `newline or NUL`},
		{[]string{"xl", "-name", "a/b", img}, `-name "a/b": want a name without slashes`},
		{[]string{"xl", "-tap", "tap0", img}, `flag provided but not defined: -tap`},
		{[]string{"oci", "-kernel", "/k", img}, `flag provided but not defined: -kernel`},
		{[]string{"oci", "-tag", "Upper/case", img}, `-tag "Upper/case": bad name component "Upper"`},
		{[]string{"firecracker", "-mac", "06:00:00:00:00:01", img}, `-mac is for the interface -tap makes`},
	}
	arm64 := arm64Image(t)
	tests = append(tests, []struct {
		args []string
		want string
	}{
		{[]string{"firecracker", arm64}, `16550 UART, which the arm64 runtime does not drive yet`},
		{[]string{"qemu", "-accel", "kvm", arm64}, `-accel kvm: xen/arm64 images run under TCG only`},
	}...)
	for _, tt := range tests {
		var stdout, stderr bytes.Buffer
		code := run(append([]string{"mirago-exec", "deploy"}, tt.args...), env(nil), &stdout, &stderr)
		if code != exitFailed || stdout.Len() != 0 || !regexp.MustCompile(tt.want).MatchString(stderr.String()) {
			t.Errorf("deploy %q: exit status %d, stdout %q, stderr %q; want %d and stderr matching %q",
				tt.args, code, stdout.String(), stderr.String(), exitFailed, tt.want)
		}
	}
}

// TestDeployNotUnderExecName: as go_xen_amd64_exec, "deploy" is an
// image's name, as the go command passes it.
func TestDeployNotUnderExecName(t *testing.T) {
	argsFile := fakeQEMU(t, "exit 1")
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "deploy"), []byte("\x7fELF"), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Chdir(dir)
	var stdout, stderr bytes.Buffer
	if code := run([]string{"go_xen_amd64_exec", "deploy", "qemu"}, env(map[string]string{"MIRAGO_NOMOUNT": "1", "MIRAGO_TSC_KHZ": "0"}), &stdout, &stderr); code != 0 {
		t.Fatalf("exit status %d: %s", code, stderr.String())
	}
	got, _ := os.ReadFile(argsFile)
	if !strings.Contains(string(got), "\n-kernel\ndeploy\n") || !strings.Contains(string(got), "\n-- deploy qemu\n") {
		t.Errorf("QEMU's arguments:\n%s", got)
	}
}

func TestParseReference(t *testing.T) {
	tests := []struct {
		ref, want string // want "": an error
	}{
		{"hello", "docker.io/library/hello:latest"},
		{"hello:v1.2", "docker.io/library/hello:v1.2"},
		{"me/hello", "docker.io/me/hello:latest"},
		{"quay.io/me/hello:1", "quay.io/me/hello:1"},
		{"localhost:5000/hello", "localhost:5000/hello:latest"},
		{"localhost/a/b_c:x", "localhost/a/b_c:x"},
		{"registry.example:5000/team/web-app:2026-12", "registry.example:5000/team/web-app:2026-12"},
		{"Hello", ""},
		{"hello:", ""},
		{"hello@sha256:0123", ""},
		{"-hello", ""},
		{"a//b", ""},
		{"hello:" + strings.Repeat("x", 129), ""},
	}
	for _, tt := range tests {
		got, err := parseReference(tt.ref)
		if tt.want == "" {
			if err == nil {
				t.Errorf("parseReference(%q) = %q, want an error", tt.ref, got)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("parseReference(%q) = %q, %v; want %q", tt.ref, got, err, tt.want)
		}
	}
	for ref, want := range map[string]string{"hello": "hello:latest", "a/b:1": "a/b:1", "localhost:5000/x": "localhost:5000/x:latest"} {
		if got := dockerTag(ref); got != want {
			t.Errorf("dockerTag(%q) = %q, want %q", ref, got, want)
		}
	}
}
