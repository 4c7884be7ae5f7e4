"""`make run`: the web app on 127.0.0.1:5000 and the scheduler, together; Ctrl-C stops both."""
import os
import signal
import subprocess
import sys
import time


def main() -> int:
    env = dict(os.environ, FLASK_APP="wsgi.py", PYTHONUNBUFFERED="1")
    py = sys.executable
    procs = [
        subprocess.Popen([py, "-m", "flask", "run", "--host", "127.0.0.1", "--port", "5000"], env=env),
        subprocess.Popen([py, "-m", "workers.scheduler"], env=env),
    ]
    code = 0
    try:
        while all(p.poll() is None for p in procs):
            time.sleep(0.5)
        code = next(p.returncode for p in procs if p.poll() is not None) or 0
    except KeyboardInterrupt:
        pass
    finally:
        for p in procs:
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
        for p in procs:
            try:
                p.wait(timeout=10)
            except subprocess.TimeoutExpired:
                p.kill()
    return code


if __name__ == "__main__":
    sys.exit(main())
