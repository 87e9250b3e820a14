package main

import (
	"bufio"
	"bytes"
	"context"
	"debug/buildinfo"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/recording-sync/recording-sync/internal/localenv"
)

// machine describes where the bench ran.
type machine struct {
	NProc     string
	CPU       string
	Memory    int64 // bytes
	Go        string
	Kernel    string
	Date      time.Time
	VersityGW string
	AWSCLI    string // "" when not installed
	S3Data    string // where the S3 server keeps its data: memory or disk
}

// describeMachine gathers the machine's description.
func describeMachine(ctx context.Context, awsCLI string) machine {
	m := machine{
		NProc:  strconv.Itoa(runtime.NumCPU()),
		CPU:    procField("/proc/cpuinfo", "model name"),
		Memory: procKiB("/proc/meminfo", "MemTotal"),
		Go:     runtime.Version() + " " + runtime.GOOS + "/" + runtime.GOARCH,
		Date:   time.Now().UTC(),
	}
	if out, err := exec.CommandContext(ctx, "nproc").Output(); err == nil {
		m.NProc = strings.TrimSpace(string(out))
	}
	if out, err := exec.CommandContext(ctx, "uname", "-sr").Output(); err == nil {
		m.Kernel = strings.TrimSpace(string(out))
	}
	if bin, err := localenv.Tool("versitygw"); err == nil {
		if bi, err := buildinfo.ReadFile(bin); err == nil {
			m.VersityGW = bi.Main.Path + " " + bi.Main.Version
		}
	}
	if awsCLI != "" {
		if out, err := exec.CommandContext(ctx, awsCLI, "--version").CombinedOutput(); err == nil {
			m.AWSCLI = awsCLI + ": " + strings.TrimSpace(string(out))
		}
	}
	return m
}

// findAWS returns the AWS CLI to use: the flag's, else Debian's awscli
// package's, else the first on PATH; "" when there is none.
func findAWS(flagValue string) string {
	if flagValue != "" {
		return flagValue
	}
	if _, err := os.Stat("/usr/bin/aws"); err == nil {
		return "/usr/bin/aws"
	}
	if p, err := exec.LookPath("aws"); err == nil {
		return p
	}
	return ""
}

// procField returns the value of the first "name : value" line of file.
func procField(file, name string) string {
	b, err := os.ReadFile(file) //nolint:gosec // a fixed /proc path
	if err != nil {
		return "unknown"
	}
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), ":")
		if ok && strings.TrimSpace(k) == name {
			return strings.TrimSpace(v)
		}
	}
	return "unknown"
}

// procKiB reads a "name: N kB" field of file in bytes; 0 if absent.
func procKiB(file, name string) int64 {
	v := strings.TrimSuffix(procField(file, name), " kB")
	n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
	if err != nil {
		return 0
	}
	return n << 10
}

// memAvailable is MemAvailable from /proc/meminfo in bytes; 0 if unknown.
func memAvailable() int64 { return procKiB("/proc/meminfo", "MemAvailable") }
