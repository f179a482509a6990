//! End to end with real device replicas (the `patrol-device` CLI as a process, or the replica
//! library it runs) against the application in-process: offline life (expired tokens, a shared
//! phone) and scope (village, township, reassignment). Durability under SIGKILL and life with the
//! server away are in `process/replicas/`.

mod offline;
mod scope;
