# pyqueue.py: CPython's threading and queue modules (pthread locks,
# semaphores and condition variables under the GIL): two producers and
# two consumers through a bounded queue, a lock-protected total.  Correct:
# any interleaving passes.  Run by bench/real.sh as python3 pyqueue.py.
import queue
import threading

N = 20
q = queue.Queue(maxsize=4)
total = 0
lock = threading.Lock()


def producer(n):
    for i in range(n):
        q.put(i)


def consumer():
    global total
    while True:
        x = q.get()
        if x is None:
            break
        with lock:
            total += x


producers = [threading.Thread(target=producer, args=(N,)) for _ in range(2)]
consumers = [threading.Thread(target=consumer) for _ in range(2)]
for t in producers + consumers:
    t.start()
for t in producers:
    t.join()
for _ in consumers:
    q.put(None)
for t in consumers:
    t.join()
assert total == 2 * sum(range(N)), total
