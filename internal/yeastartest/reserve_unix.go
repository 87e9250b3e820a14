//go:build unix

package yeastartest

import (
	"fmt"
	"net"
	"strconv"
	"syscall"
)

// reservePort binds a TCP socket to a free port of host without listening
// on it: a connection to the port is refused, as by a PBX that is down, and
// while the socket is open the kernel gives the port to no other listener,
// which could otherwise answer in the down PBX's place. The returned close
// frees the port.
func reservePort(host string) (addr string, closePort func() error, err error) {
	ta, err := net.ResolveTCPAddr("tcp", net.JoinHostPort(host, "0"))
	if err != nil {
		return "", nil, err
	}
	family, sa := syscall.AF_INET6, syscall.Sockaddr(&syscall.SockaddrInet6{})
	if ip4 := ta.IP.To4(); ip4 != nil {
		family, sa = syscall.AF_INET, &syscall.SockaddrInet4{Addr: [4]byte(ip4)}
	} else if ta.IP != nil {
		sa = &syscall.SockaddrInet6{Addr: [16]byte(ta.IP.To16())}
	}
	fd, err := syscall.Socket(family, syscall.SOCK_STREAM, 0)
	if err != nil {
		return "", nil, fmt.Errorf("socket: %w", err)
	}
	syscall.CloseOnExec(fd)
	closePort = func() error { return syscall.Close(fd) }
	if err := syscall.Bind(fd, sa); err != nil {
		_ = closePort()
		return "", nil, fmt.Errorf("bind: %w", err)
	}
	bound, err := syscall.Getsockname(fd)
	if err != nil {
		_ = closePort()
		return "", nil, fmt.Errorf("getsockname: %w", err)
	}
	var port int
	switch b := bound.(type) {
	case *syscall.SockaddrInet4:
		port = b.Port
	case *syscall.SockaddrInet6:
		port = b.Port
	}
	return net.JoinHostPort(ta.IP.String(), strconv.Itoa(port)), closePort, nil
}
