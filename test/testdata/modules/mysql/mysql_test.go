package mysql_test

import (
	"strings"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"
)

// TestParseFormatDSN parses a DSN, checks its fields and formats it again.
func TestParseFormatDSN(t *testing.T) {
	dsn := "user:p%40ss@tcp(127.0.0.1:3306)/shop?charset=utf8mb4&parseTime=true&timeout=2s&loc=UTC"
	cfg, err := mysql.ParseDSN(dsn)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.User != "user" || cfg.Passwd != "p%40ss" && cfg.Passwd != "p@ss" || cfg.Net != "tcp" ||
		cfg.Addr != "127.0.0.1:3306" || cfg.DBName != "shop" || !cfg.ParseTime ||
		cfg.Timeout != 2*time.Second || cfg.Loc != time.UTC {
		t.Fatalf("ParseDSN = %+v", cfg)
	}
	// charset is kept in an unexported field; FormatDSN shows it.
	if got := cfg.FormatDSN(); !strings.Contains(got, "charset=utf8mb4") {
		t.Fatalf("FormatDSN = %q, no charset", got)
	}
	back, err := mysql.ParseDSN(cfg.FormatDSN())
	if err != nil {
		t.Fatalf("ParseDSN(FormatDSN()) %q: %v", cfg.FormatDSN(), err)
	}
	if back.FormatDSN() != cfg.FormatDSN() || back.User != cfg.User || back.Passwd != cfg.Passwd || back.Addr != cfg.Addr {
		t.Fatalf("round trip: %q != %q", back.FormatDSN(), cfg.FormatDSN())
	}

	c := mysql.NewConfig()
	c.User, c.Passwd, c.Net, c.Addr, c.DBName = "root", "secret", "tcp", "localhost:3307", "db"
	c.ReadTimeout = 3 * time.Second
	if got, want := c.FormatDSN(), "root:secret@tcp(localhost:3307)/db?readTimeout=3s"; got != want {
		t.Fatalf("FormatDSN = %q, want %q", got, want)
	}

	if _, err := mysql.ParseDSN("user@tcp(127.0.0.1:3306)db"); err == nil {
		t.Fatalf("ParseDSN of a DSN without a slash succeeded")
	}
}
