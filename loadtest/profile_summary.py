"""Where the CPU time of a profile went (loadtest/profile.sh): folded stacks with thread names, one sample a millisecond.

    profile_summary.py FOLDED CALLS

prints, per thread group and over all, the samples, the share and the CPU time per call; then, per thread group, the
code the samples were in: the frame's package, or for a sample in the kernel the user-space call that entered it.
"""
import collections
import re
import sys


def thread_group(frame):
    name = re.sub(r"\s*tid=\d+\]$", "", frame.lstrip("["))
    return re.sub(r"\d+", "N", name).strip()


def where(frames):
    i = len(frames) - 1
    while i > 0 and frames[i].endswith("_[k]"):
        i -= 1
    if i < len(frames) - 1:
        return "kernel, entered by " + re.sub(r"(_\[.\])?$", "", frames[i])
    leaf = re.sub(r"\$\$Lambda.*|\.[^./]+$", "", frames[-1])
    parts = leaf.split("/")
    return "/".join(parts[:3]) if len(parts) > 1 else leaf


def main(path, calls):
    threads = collections.Counter()
    code = collections.defaultdict(collections.Counter)
    total = 0
    with open(path) as folded:
        for line in folded:
            stack, count = line.rstrip("\n").rsplit(" ", 1)
            frames = stack.split(";")
            count = int(count)
            group = thread_group(frames[0])
            threads[group] += count
            code[group][where(frames[1:] or frames)] += count
            total += count
    print(f"\n{total:,} samples of 1 ms = {total / 1000:.1f} s of CPU for {calls:,} calls: "
          f"{total * 1000 / calls:.0f} µs per call\n")
    print("| threads | share | µs per call |\n|---|---|---|")
    for group, count in threads.most_common(8):
        print(f"| {group} | {count / total * 100:.1f} % | {count * 1000 / calls:.0f} |")
    for group, count in threads.most_common(3):
        print(f"\n{group}: where its samples were\n\n| code | share of the thread |\n|---|---|")
        for place, n in code[group].most_common(12):
            print(f"| {place} | {n / count * 100:.1f} % |")


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]))
