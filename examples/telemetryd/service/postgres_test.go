package service

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"
)

// A real PostgreSQL for the storage tests: started once per test binary
// from the Debian package's binaries (initdb, pg_ctl) in a temporary
// directory, listening on a Unix socket only, stopped by TestMain. It
// refuses to run as root, so as root it runs as "nobody" (runuser).

var pg struct {
	once sync.Once
	dsn  string
	skip string
	stop func()
}

// pgBinDir finds the server binaries: PostgreSQL 15 first, then any
// version the package manager installed.
func pgBinDir() string {
	if _, err := os.Stat("/usr/lib/postgresql/15/bin/initdb"); err == nil {
		return "/usr/lib/postgresql/15/bin"
	}
	matches, _ := filepath.Glob("/usr/lib/postgresql/*/bin/initdb")
	if len(matches) > 0 {
		return filepath.Dir(matches[len(matches)-1])
	}
	return ""
}

// postgresDSN returns the connection string of the shared server, or skips
// t with the reason it could not start.
func postgresDSN(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("PostgreSQL storage test skipped under -short")
	}
	pg.once.Do(startPostgres)
	if pg.skip != "" {
		t.Skip(pg.skip)
	}
	return pg.dsn
}

func startPostgres() {
	bin := pgBinDir()
	if bin == "" {
		pg.skip = "PostgreSQL server binaries not found under /usr/lib/postgresql/*/bin (apt-get install postgresql)"
		return
	}
	dir, err := os.MkdirTemp("", "telemetryd-pg-")
	if err != nil {
		pg.skip = "temp dir: " + err.Error()
		return
	}
	var asUser []string
	if os.Geteuid() == 0 {
		nobody, err := user.Lookup("nobody")
		if err != nil {
			pg.skip = "running as root and no user nobody to run PostgreSQL as"
			return
		}
		uid, _ := strconv.Atoi(nobody.Uid)
		gid, _ := strconv.Atoi(nobody.Gid)
		if err := os.Chown(dir, uid, gid); err != nil {
			pg.skip = "chown temp dir: " + err.Error()
			return
		}
		asUser = []string{"runuser", "-u", "nobody", "--"}
	}
	data := filepath.Join(dir, "data")
	port := 20000 + rand.IntN(30000)
	cmdline := func(args ...string) *exec.Cmd {
		full := append(append([]string{}, asUser...), args...)
		cmd := exec.Command(full[0], full[1:]...)
		cmd.Dir = dir
		return cmd
	}
	if out, err := cmdline(filepath.Join(bin, "initdb"), "-D", data, "-U", "postgres", "--auth=trust",
		"-E", "UTF8", "--no-sync", "--no-instructions").CombinedOutput(); err != nil {
		pg.skip = fmt.Sprintf("initdb failed: %v\n%s", err, out)
		os.RemoveAll(dir)
		return
	}
	opts := fmt.Sprintf("-k %s -p %d -c listen_addresses='' -c fsync=off", dir, port)
	if out, err := cmdline(filepath.Join(bin, "pg_ctl"), "-D", data, "-o", opts, "-l", filepath.Join(dir, "log"),
		"-w", "-t", "30", "start").CombinedOutput(); err != nil {
		pg.skip = fmt.Sprintf("pg_ctl start failed: %v\n%s", err, out)
		os.RemoveAll(dir)
		return
	}
	pg.dsn = fmt.Sprintf("host=%s port=%d user=postgres dbname=postgres sslmode=disable", dir, port)
	pg.stop = func() {
		cmdline(filepath.Join(bin, "pg_ctl"), "-D", data, "-m", "immediate", "-w", "stop").Run()
		os.RemoveAll(dir)
	}
}

func TestMain(m *testing.M) {
	code := m.Run()
	if pg.stop != nil {
		pg.stop()
	}
	os.Exit(code)
}

// freshPostgres opens a store on a database of its own.
func freshPostgres(t *testing.T) *Store {
	t.Helper()
	dsn := postgresDSN(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	admin, err := OpenPostgres(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	name := fmt.Sprintf("t%d", rand.Uint32())
	if _, err := admin.db.ExecContext(ctx, "CREATE DATABASE "+name); err != nil {
		t.Fatal(err)
	}
	admin.Close()
	s, err := OpenPostgres(ctx, dsn[:len(dsn)-len("dbname=postgres sslmode=disable")]+"dbname="+name+" sslmode=disable")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}
