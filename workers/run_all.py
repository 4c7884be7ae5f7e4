"""`make run`: the web app under gunicorn (gunicorn.conf.py) on 127.0.0.1:5000 and the scheduler,
together; Ctrl-C stops both. `flask run` remains for debugging (reloader, debugger)."""
import os
import signal
import subprocess
import sys
import time


def main() -> int:
    env = dict(os.environ, FLASK_APP="wsgi.py", PYTHONUNBUFFERED="1")
    py = sys.executable
    def child_defaults():
        signal.signal(signal.SIGINT, signal.SIG_DFL)

    procs = [
        subprocess.Popen([py, "-m", "gunicorn", "-c", "gunicorn.conf.py"], env=env, preexec_fn=child_defaults),
        subprocess.Popen([py, "-m", "workers.scheduler"], env=env, preexec_fn=child_defaults),
    ]
    code = 0

    def stop(*_):
        raise KeyboardInterrupt

    # Ctrl-C and `kill` both stop the two children; set explicitly, since a shell that starts us
    # in the background leaves SIGINT ignored.
    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
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
