"""Sorts async-profiler's collapsed stacks (one line per stack: frames root first, separated by
';', then the sample count) into what the CPU time went to, and prints each share.

Samples of GC and JIT compiler threads are counted by thread name; any sample with the etcd
worker anywhere in its stack (jetcd, gRPC over HTTP/2, the sync package: in local mode every
allowed pod is handed to it, even an unchanged one) counts as the worker's. Every other sample
belongs to the innermost frame that names an owner below: a Jackson call made by ReviewReader
counts as JSON reading, a socket write made by Netty's SslHandler as socket I/O, an AES call as
TLS, and what is left of a Netty or RESTEasy frame as theirs.

usage: split.py FILE.collapsed
"""
import collections
import re
import sys

WORKER = ("etcd worker (sync, jetcd, gRPC over HTTP/2)",
          re.compile(r"calicowebhook[./](sync|etcd)[./]|io[./]etcd[./]|io[./]grpc[./]|"
                     r"io[./]vertx[./]grpc|codec[./]http2"))
# (share, frame pattern), innermost match wins; order only breaks ties within one frame.
OWNERS = [
    ("metrics (Micrometer)", r"io[./]micrometer|io[./]quarkus[./]micrometer"),
    ("decision (Validator, Mutator, policy parser, profile)",
     r"calicowebhook[./](admission[./](Validator|Mutator|Warnings|Validation|Pods)|policy|profile)"),
    ("JSON reading (ReviewReader, Jackson)", r"calicowebhook[./]admission[./]ReviewReader"),
    ("JSON writing (Jackson body writer)",
     r"JacksonMessageBodyWriter|jackson[./]databind[./]ObjectWriter|jackson[./]core[./]json[./]\w*Generator"),
    ("endpoint glue (AdmissionResource, ClientCertificates, BodyLimit)",
     r"calicowebhook[./]admission[./](AdmissionResource|ClientCertificates|BodyLimit)"),
    ("TLS (JDK SSLEngine, crypto, Netty SslHandler)",
     r"sun[./]security[./]ssl|com[./]sun[./]crypto|javax[./]crypto|io[./]netty[./]handler[./]ssl|"
     r"io[./]netty[./]internal[./]tcnative|libcrypto|libssl|boringssl|SSL_|EVP_|aesni|gcm_"),
    ("socket I/O (syscalls, NIO)",
     r"sun[./]nio[./]ch|^(__)?(libc_)?(write|read|writev|readv|sendmsg|recvmsg|epoll_wait)|"
     r"\[k\]|entry_SYSCALL|do_syscall"),
    ("RESTEasy Reactive (routing, handlers, context)", r"org[./]jboss[./]resteasy"),
    ("Vert.x / Netty HTTP (codec, pipeline, event loop)", r"io[./]vertx|io[./]netty|io[./]quarkus[./]vertx"),
]
OWNERS = [(name, re.compile(pattern)) for name, pattern in OWNERS]
THREADS = [
    ("GC", re.compile(r"^\[?(GC|G1|Gang|Concurrent|VM Periodic|C[12]? ?Compiler)?.*(GC|G1|Conc|Refine)")),
    ("JIT compiler", re.compile(r"^\[?C[12] CompilerThread|CompilerThre")),
]


def owner(frames):
    thread = frames[0].strip("[]") if frames else ""
    for name, pattern in THREADS:
        if pattern.search(thread):
            return name
    if any(WORKER[1].search(frame) for frame in frames):
        return WORKER[0]
    for frame in reversed(frames):
        for name, pattern in OWNERS:
            if pattern.search(frame):
                return name
    return "other (JVM, logging, Mutiny, JDK)"


def main(path):
    shares = collections.Counter()
    for line in open(path):
        stack, _, count = line.rstrip("\n").rpartition(" ")
        if stack:
            shares[owner(stack.split(";"))] += int(count)
    total = sum(shares.values())
    print(f"{'share of the service CPU':<66} {'%':>6}")
    for name, samples in shares.most_common():
        print(f"{name:<66} {100 * samples / total:6.1f}")
    print(f"({total} samples)")


if __name__ == "__main__":
    main(sys.argv[1])
