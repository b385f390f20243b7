package main

import (
	"os"
	"os/exec"
	"syscall"
)

// setDeathSignal puts the child in a process group of its own, so that a
// signal reaches everything it starts (a shell's children too), and has it
// sent SIGTERM when "ports run" dies, even by SIGKILL, so that no process
// outlives its runner.
func setDeathSignal(cmd *exec.Cmd) {
	if cmd.SysProcAttr == nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{}
	}
	cmd.SysProcAttr.Setpgid = true
	cmd.SysProcAttr.Pdeathsig = syscall.SIGTERM
}

// signalGroup sends sig to the child's process group.
func signalGroup(cmd *exec.Cmd, sig os.Signal) {
	if s, ok := sig.(syscall.Signal); ok {
		syscall.Kill(-cmd.Process.Pid, s)
		return
	}
	cmd.Process.Signal(sig)
}
