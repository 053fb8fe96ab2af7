package viper_test

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/spf13/viper"
)

const yamlConfig = `
server:
  host: 127.0.0.1
  port: 8080
  timeout: 1500ms
features: [a, b, c]
debug: true
`

const jsonConfig = `{
  "server": {"host": "localhost", "port": 9090, "timeout": "2s"},
  "features": ["x", "y"],
  "debug": false
}`

func check(t *testing.T, v *viper.Viper, host string, port int, timeout time.Duration, features []string, debug bool) {
	t.Helper()
	if got := v.GetString("server.host"); got != host {
		t.Errorf("server.host = %q, want %q", got, host)
	}
	if got := v.GetInt("server.port"); got != port {
		t.Errorf("server.port = %d, want %d", got, port)
	}
	if got := v.GetDuration("server.timeout"); got != timeout {
		t.Errorf("server.timeout = %v, want %v", got, timeout)
	}
	if got := v.GetStringSlice("features"); !reflect.DeepEqual(got, features) {
		t.Errorf("features = %q, want %q", got, features)
	}
	if got := v.GetBool("debug"); got != debug {
		t.Errorf("debug = %v, want %v", got, debug)
	}
	if got := v.GetString("missing"); got != "dflt" {
		t.Errorf("missing = %q, want the default", got)
	}
	var s struct {
		Host string
		Port int
	}
	if err := v.UnmarshalKey("server", &s); err != nil || s.Host != host || s.Port != port {
		t.Errorf("UnmarshalKey(server) = %+v, %v", s, err)
	}
}

func write(t *testing.T, dir, name, content string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestYAMLFile reads a YAML file named with SetConfigFile.
func TestYAMLFile(t *testing.T) {
	v := viper.New()
	v.SetDefault("missing", "dflt")
	v.SetConfigFile(write(t, t.TempDir(), "config.yaml", yamlConfig))
	if err := v.ReadInConfig(); err != nil {
		t.Fatal(err)
	}
	check(t, v, "127.0.0.1", 8080, 1500*time.Millisecond, []string{"a", "b", "c"}, true)
}

// TestJSONSearch finds config.json by name and search path.
func TestJSONSearch(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, "config.json", jsonConfig)
	v := viper.New()
	v.SetDefault("missing", "dflt")
	v.SetConfigName("config")
	v.AddConfigPath(filepath.Join(dir, "nonexistent"))
	v.AddConfigPath(dir)
	if err := v.ReadInConfig(); err != nil {
		t.Fatal(err)
	}
	if got, want := v.ConfigFileUsed(), filepath.Join(dir, "config.json"); got != want {
		t.Errorf("ConfigFileUsed = %q, want %q", got, want)
	}
	check(t, v, "localhost", 9090, 2*time.Second, []string{"x", "y"}, false)

	// A missing file is reported as such.
	v2 := viper.New()
	v2.SetConfigName("absent")
	v2.AddConfigPath(dir)
	if _, ok := v2.ReadInConfig().(viper.ConfigFileNotFoundError); !ok {
		t.Errorf("ReadInConfig of a missing file did not give ConfigFileNotFoundError")
	}
}
