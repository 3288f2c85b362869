"""What the end-to-end tests in Python share: a failure type, a check that
says what it verified, and running one named case of a World."""
import sys


class Fail(Exception):
    pass


def check(cond, what):
    if not cond:
        raise Fail(what)
    print("ok:", what)


def run_case(name, world, case_fn, log_tail, errors=(Fail,)):
    """Runs case_fn(world); on a failure prints it and log_tail() (the
    player's log), always closes the world. Returns the exit code."""
    try:
        case_fn(world)
    except errors as e:
        print("FAIL:", e)
        tail = log_tail()
        if tail:
            print(tail[-4000:])
        return 1
    finally:
        world.close()
    print("passed:", name)
    return 0
