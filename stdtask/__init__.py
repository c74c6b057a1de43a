"""The runtime core: Python's stand-in for Rust's `std::future` and `std::task`.

Everything an exercise needs and Rust's standard library gives for free lives here:

    Rust                                  Python (this package)
    ----                                  ---------------------
    enum Poll<T> { Ready(T), Pending }    Poll.Ready(value) / Poll.Pending  (also Ready, Pending)
    std::task::Waker                      Waker            (wake(), will_wake())
    std::task::Wake for Arc<W>            Wake protocol    (any object with .wake())
    std::task::Context<'_>                Context          (cx.waker; expire() ends its poll)
    trait Future { fn poll(..) }          Future.poll(cx)
    impl Drop                             Future.drop()    (called once when abandoned)
    async fn / .await                     async def / await, bridged by CoroutineFuture
    IntoFuture                            into_future()
    todo!()                               todo()
"""

from stdtask.errors import ContextExpired, PolledAfterCompletion, TodoError, todo
from stdtask.future import CoroutineFuture, Future, into_future
from stdtask.poll import Pending, Poll, Ready
from stdtask.task import Context, Wake, Waker, noop_waker

__all__ = [
    "Context",
    "ContextExpired",
    "CoroutineFuture",
    "Future",
    "Pending",
    "Poll",
    "PolledAfterCompletion",
    "Ready",
    "TodoError",
    "Wake",
    "Waker",
    "into_future",
    "noop_waker",
    "todo",
]
