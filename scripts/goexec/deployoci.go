// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package main

import (
	"archive/tar"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"regexp"
	"strings"
	"time"
)

// deploy oci writes a container image that holds a Mirago image as a
// file, for engines that fetch kernels from registries: KubeVirt's
// kernel boot (spec.domain.firmware.kernelBoot.container) copies
// kernelPath out of such an image and boots it. Nothing in it runs as a
// container.
//
// The archive is an OCI image layout (image-layout.md in the OCI image
// spec: oci-layout, index.json, blobs/sha256/...) that is also a
// docker save archive: a manifest.json lists the same config and layer
// blobs by path, as Docker 25 and later write it themselves. docker
// load of Docker 20.10 reads only manifest.json (test/deploy_test.go
// loads it so); tools of the OCI spec read index.json.
//
// The one layer holds
//
//	/boot/kernel	the image, byte for byte
//	/boot/cmdline	the kernel command line deploy wrote, and a newline
//
// and the config carries the command line in the label
// dev.mirago.cmdline too, so that a deployment can take it from the
// registry. Timestamps are zero, so the same image and flags make the
// same digests: a rebuild that changed nothing pushes nothing.

// Paths in the layer.
const (
	ociKernelPath  = "/boot/kernel"
	ociCmdlinePath = "/boot/cmdline"
)

// Media types (OCI image spec, media-types.md).
const (
	ociIndexType    = "application/vnd.oci.image.index.v1+json"
	ociManifestType = "application/vnd.oci.image.manifest.v1+json"
	ociConfigType   = "application/vnd.oci.image.config.v1+json"
	ociLayerType    = "application/vnd.oci.image.layer.v1.tar"
)

type (
	ociDescriptor struct {
		MediaType   string            `json:"mediaType"`
		Digest      string            `json:"digest"`
		Size        int64             `json:"size"`
		Annotations map[string]string `json:"annotations,omitempty"`
		Platform    *ociPlatform      `json:"platform,omitempty"`
	}
	ociPlatform struct {
		Architecture string `json:"architecture"`
		OS           string `json:"os"`
	}
	ociIndex struct {
		SchemaVersion int             `json:"schemaVersion"`
		MediaType     string          `json:"mediaType"`
		Manifests     []ociDescriptor `json:"manifests"`
	}
	ociManifest struct {
		SchemaVersion int             `json:"schemaVersion"`
		MediaType     string          `json:"mediaType"`
		Config        ociDescriptor   `json:"config"`
		Layers        []ociDescriptor `json:"layers"`
	}
	ociConfig struct {
		ociPlatform
		Config struct {
			Labels map[string]string `json:"Labels"`
		} `json:"config"`
		RootFS struct {
			Type    string   `json:"type"`
			DiffIDs []string `json:"diff_ids"`
		} `json:"rootfs"`
	}
	// dockerManifest is an entry of a docker save archive's
	// manifest.json: paths in the archive, and the names to tag.
	dockerManifest struct {
		Config   string
		RepoTags []string
		Layers   []string
	}
)

// ociPlatformOf returns the platform a container image for a kernel of
// arch says it is for. It is the nodes' platform as much as the
// guest's: a cluster of linux/amd64 nodes pulls an amd64 kernel's, and
// the nodes' QEMU boots the kernel in it.
func ociPlatformOf(arch string) ociPlatform {
	return ociPlatform{Architecture: arch, OS: "linux"}
}

// writeOCI writes the container image for d to out.
func (d *deployment) writeOCI(out io.Writer) error {
	kernel, err := os.ReadFile(d.image)
	if err != nil {
		return err
	}
	layer, err := ociLayer(kernel, d.cmdline)
	if err != nil {
		return err
	}
	layerDesc := blobDescriptor(ociLayerType, layer)

	var cfg ociConfig
	cfg.ociPlatform = ociPlatformOf(d.arch)
	cfg.Config.Labels = map[string]string{
		"dev.mirago.kernel":  ociKernelPath,
		"dev.mirago.cmdline": d.cmdline,
	}
	cfg.RootFS.Type = "layers"
	cfg.RootFS.DiffIDs = []string{layerDesc.Digest} // uncompressed: the same digest
	config, err := marshalJSON(cfg)
	if err != nil {
		return err
	}
	configDesc := blobDescriptor(ociConfigType, config)

	manifest, err := marshalJSON(ociManifest{
		SchemaVersion: 2, MediaType: ociManifestType,
		Config: configDesc, Layers: []ociDescriptor{layerDesc},
	})
	if err != nil {
		return err
	}
	full, err := parseReference(d.tag)
	if err != nil {
		return err
	}
	manifestDesc := blobDescriptor(ociManifestType, manifest)
	// containerd names the image by io.containerd.image.name; the
	// OCI annotation holds the tag alone, as image-layout.md's
	// example does.
	manifestDesc.Annotations = map[string]string{
		"io.containerd.image.name":          full,
		"org.opencontainers.image.ref.name": full[strings.LastIndexByte(full, ':')+1:],
	}
	platform := ociPlatformOf(d.arch)
	manifestDesc.Platform = &platform
	index, err := marshalJSON(ociIndex{SchemaVersion: 2, MediaType: ociIndexType, Manifests: []ociDescriptor{manifestDesc}})
	if err != nil {
		return err
	}
	docker, err := marshalJSON([]dockerManifest{{
		Config:   blobPath(configDesc),
		RepoTags: []string{dockerTag(d.tag)},
		Layers:   []string{blobPath(layerDesc)},
	}})
	if err != nil {
		return err
	}

	tw := newTarWriter(out)
	tw.dir("blobs/")
	tw.dir("blobs/sha256/")
	tw.file(blobPath(layerDesc), layer)
	tw.file(blobPath(configDesc), config)
	tw.file(blobPath(manifestDesc), manifest)
	tw.file("oci-layout", []byte(`{"imageLayoutVersion":"1.0.0"}`+"\n"))
	tw.file("index.json", index)
	tw.file("manifest.json", docker)
	return tw.close()
}

// ociLayer returns the layer: a tar of /boot with the kernel and the
// command line in it.
func ociLayer(kernel []byte, cmdline string) ([]byte, error) {
	var b bytes.Buffer
	tw := newTarWriter(&b)
	tw.dir("boot/")
	tw.file(strings.TrimPrefix(ociKernelPath, "/"), kernel)
	tw.file(strings.TrimPrefix(ociCmdlinePath, "/"), []byte(cmdline+"\n"))
	if err := tw.close(); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// tarWriter writes a tar of directories and regular files owned by
// root, with zero timestamps, keeping the first error for close.
type tarWriter struct {
	tw  *tar.Writer
	err error
}

func newTarWriter(w io.Writer) *tarWriter { return &tarWriter{tw: tar.NewWriter(w)} }

func (t *tarWriter) add(hdr *tar.Header, data []byte) {
	if t.err != nil {
		return
	}
	hdr.ModTime = time.Unix(0, 0)
	hdr.Format = tar.FormatPAX
	if t.err = t.tw.WriteHeader(hdr); t.err == nil && len(data) > 0 {
		_, t.err = t.tw.Write(data)
	}
}

func (t *tarWriter) dir(name string) {
	t.add(&tar.Header{Typeflag: tar.TypeDir, Name: name, Mode: 0o755}, nil)
}

func (t *tarWriter) file(name string, data []byte) {
	t.add(&tar.Header{Typeflag: tar.TypeReg, Name: name, Mode: 0o644, Size: int64(len(data))}, data)
}

func (t *tarWriter) close() error {
	if t.err != nil {
		return t.err
	}
	return t.tw.Close()
}

// blobDescriptor describes data as a blob of mediaType.
func blobDescriptor(mediaType string, data []byte) ociDescriptor {
	sum := sha256.Sum256(data)
	return ociDescriptor{MediaType: mediaType, Digest: "sha256:" + hex.EncodeToString(sum[:]), Size: int64(len(data))}
}

// blobPath is where an image layout keeps the blob d describes.
func blobPath(d ociDescriptor) string {
	return "blobs/sha256/" + strings.TrimPrefix(d.Digest, "sha256:")
}

func marshalJSON(v any) ([]byte, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	return append(b, '\n'), nil
}

// Parts of a reference (the grammar of the distribution project's
// reference package, which Docker and containerd share), less digests.
var (
	refComponent = regexp.MustCompile(`^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$`)
	refTag       = regexp.MustCompile(`^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$`)
	refDomain    = regexp.MustCompile(`^(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?\.?)+(?::[0-9]+)?$|^\[[0-9A-Fa-f:]+\](?::[0-9]+)?$`)
)

// parseReference checks ref, an image reference [DOMAIN/]PATH[:TAG],
// and returns it in full, as containerd names images: docker.io and
// library/ for an image of Docker Hub's, and the tag latest if there is
// none (hello is docker.io/library/hello:latest).
func parseReference(ref string) (string, error) {
	if strings.Contains(ref, "@") {
		return "", errors.New("a digest cannot be a tag")
	}
	name, tag := ref, "latest"
	if i := strings.LastIndexByte(ref, ':'); i > strings.LastIndexByte(ref, '/') {
		name, tag = ref[:i], ref[i+1:]
	}
	if !refTag.MatchString(tag) {
		return "", fmt.Errorf("bad tag %q", tag)
	}
	parts := strings.Split(name, "/")
	domain := ""
	if len(parts) > 1 && (strings.ContainsAny(parts[0], ".:[") || parts[0] == "localhost") {
		domain, parts = parts[0], parts[1:]
		if !refDomain.MatchString(domain) {
			return "", fmt.Errorf("bad registry %q", domain)
		}
	}
	for _, p := range parts {
		if !refComponent.MatchString(p) {
			return "", fmt.Errorf("bad name component %q: lower-case letters, digits and separators . _ __ - only", p)
		}
	}
	if domain == "" {
		domain = "docker.io"
		if len(parts) == 1 {
			parts = append([]string{"library"}, parts...)
		}
	}
	return domain + "/" + strings.Join(parts, "/") + ":" + tag, nil
}

// dockerTag returns ref with its tag, for manifest.json's RepoTags,
// which Docker reads as NAME:TAG.
func dockerTag(ref string) string {
	if strings.LastIndexByte(ref, ':') > strings.LastIndexByte(ref, '/') {
		return ref
	}
	return ref + ":latest"
}
