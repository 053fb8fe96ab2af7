package gorm_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/glebarez/sqlite"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"
)

type Product struct {
	ID    uint `gorm:"primaryKey"`
	Code  string
	Price int
}

func exercise(t *testing.T, dsn string) {
	db, err := gorm.Open(sqlite.Open(dsn), &gorm.Config{Logger: logger.Default.LogMode(logger.Silent)})
	if err != nil {
		t.Fatalf("Open(%q): %v", dsn, err)
	}
	sqlDB, err := db.DB()
	if err != nil {
		t.Fatal(err)
	}
	defer sqlDB.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	db = db.WithContext(ctx)

	if err := db.AutoMigrate(&Product{}); err != nil {
		t.Fatalf("AutoMigrate: %v", err)
	}
	ps := []Product{{Code: "A1", Price: 100}, {Code: "B2", Price: 200}, {Code: "C3", Price: 300}}
	if err := db.Create(&ps).Error; err != nil {
		t.Fatalf("Create: %v", err)
	}
	if ps[2].ID == 0 {
		t.Fatalf("Create set no IDs: %+v", ps)
	}
	var p Product
	if err := db.First(&p, "code = ?", "B2").Error; err != nil || p.Price != 200 {
		t.Fatalf("First(code=B2) = %+v, %v", p, err)
	}
	if err := db.Model(&p).Update("Price", 250).Error; err != nil {
		t.Fatalf("Update: %v", err)
	}
	var sum int
	if err := db.Model(&Product{}).Select("sum(price)").Scan(&sum).Error; err != nil || sum != 650 {
		t.Fatalf("sum(price) = %d, %v; want 650", sum, err)
	}
	if err := db.Delete(&Product{}, ps[0].ID).Error; err != nil {
		t.Fatalf("Delete: %v", err)
	}
	var n int64
	if err := db.Model(&Product{}).Where("price > ?", 150).Count(&n).Error; err != nil || n != 2 {
		t.Fatalf("Count(price>150) = %d, %v; want 2", n, err)
	}
	var all []Product
	if err := db.Order("code").Find(&all).Error; err != nil || len(all) != 2 || all[0].Code != "B2" || all[1].Code != "C3" {
		t.Fatalf("Find = %+v, %v", all, err)
	}
}

// TestFile uses a database file in a temporary directory.
func TestFile(t *testing.T) {
	exercise(t, filepath.Join(t.TempDir(), "test.db"))
}

// TestMemory uses an in-memory database.
func TestMemory(t *testing.T) {
	exercise(t, ":memory:")
}
