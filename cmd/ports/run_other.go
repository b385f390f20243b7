//go:build !linux

package main

import (
	"os"
	"os/exec"
)

// setDeathSignal does nothing where the system has no parent-death signal.
func setDeathSignal(*exec.Cmd) {}

// signalGroup sends sig to the child.
func signalGroup(cmd *exec.Cmd, sig os.Signal) { cmd.Process.Signal(sig) }
