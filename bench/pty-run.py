# Runs argv in a new pseudo-terminal of COLS x ROWS (no shell between: the words are exec'd as
# they are), reads and drops what it prints, and exits with its status. The TUI row's terminal
# (lib-rows.ts): script(1) would take the command as one shell line.
#   python3 bench/pty-run.py COLS ROWS ARGV...
import fcntl, os, pty, struct, sys, termios

cols, rows, argv = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3:]
pid, fd = pty.fork()
if pid == 0:
    fcntl.ioctl(1, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
    os.execvp(argv[0], argv)
while True:
    try:
        if not os.read(fd, 65536):
            break
    except OSError:  # EIO: the terminal's last process is gone
        break
status = os.waitpid(pid, 0)[1]
sys.exit(os.WEXITSTATUS(status) if os.WIFEXITED(status) else 128 + os.WTERMSIG(status))
