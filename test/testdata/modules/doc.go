// Package modules holds the acceptance tests of issue 12: popular
// third-party modules, each built with GOOS=xen and exercised by a small
// test that runs in the VM (GOOS=xen GOARCH=amd64 go test ./<pkg> boots
// the test binary under QEMU through the exec wrapper).
//
// There is one package per module, named by the module: gin, logrus,
// viper, bbolt, fiber (gofiber/fiber v2), gorm (gorm.io/gorm with
// github.com/glebarez/sqlite), mysql (go-sql-driver/mysql), kafka
// (segmentio/kafka-go), etcd (go.etcd.io/etcd/client/v3), memberlist,
// nats (nats-server/v2 embedded, nats.go client), goleveldb, buntdb,
// redcon, gnet (panjf2000/gnet/v2), gopsutil (shirou/gopsutil/v4) and
// dns (miekg/dns). go.mod pins the versions. Each test is short, uses
// only loopback addresses and temporary directories, and bounds every
// wait with a deadline, so a hang becomes a test failure. The same tests
// pass on the host (go test ./..., GOOS unset), which shows that a
// failure in the VM is the port's, not the test's.
//
// The module is separate from mirago.dev/mirago (it lives under testdata,
// so ./... in the root module does not see it). Run from this directory:
//
//	GOOS=xen GOARCH=amd64 go vet ./gin
//	GOOS=xen GOARCH=amd64 MIRAGO_TIMEOUT=120s go test -count=1 -v ./gin
//	go test -count=1 ./gin    # the control, on the host
package modules
