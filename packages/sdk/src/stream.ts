/**
 * Watches a model stream in place: the object the provider returned keeps its
 * identity, its class and its other methods (`controller.abort()`,
 * `toReadableStream()`, `tee()`, `finalMessage()`); only the way it is read is
 * observed, so the caller's span can end when the read ends.
 */
import { warnOnce } from './log.js';

/** How a stream's read ended. */
export type StreamEnd =
  /** The reader got to the end (for an SDK stream, also after an abort, which ends it quietly). */
  | { reason: 'completed' }
  /** The reader stopped early (`break`, `return()`), or the stream was aborted before anyone read it. */
  | { reason: 'abandoned' }
  /** Reading failed; the error reaches the reader unchanged. */
  | { reason: 'failed'; error: unknown };

export interface StreamObserver {
  /** Each item the reader receives, before the reader sees it. */
  onItem(item: unknown): void;
  /** Called once, when the read ends. */
  onEnd(end: StreamEnd): void;
}

type Obj = Record<PropertyKey, unknown>;
type Fn = (...args: unknown[]) => unknown;

const isObject = (v: unknown): v is Obj => v !== null && (typeof v === 'object' || typeof v === 'function');

/** True for anything `for await` reads. */
export function isAsyncIterable(value: unknown): value is AsyncIterable<unknown> {
  return isObject(value) && typeof value[Symbol.asyncIterator] === 'function';
}

/**
 * An SDK helper that reads its stream itself and reports through events
 * (Anthropic's MessageStream from `messages.stream()`, OpenAI's
 * ChatCompletionStream and ResponseStream): it is read whether or not anyone
 * iterates it, so it is watched through its events, not its iterator.
 */
export function isEventStream(value: unknown): value is EventStreamLike {
  return isObject(value) && typeof value.on === 'function' && typeof value.done === 'function' && 'errored' in value && 'aborted' in value;
}

interface EventStreamLike {
  on(event: string, listener: (...args: unknown[]) => void): unknown;
  done(): Promise<void>;
  readonly errored: boolean;
  readonly aborted: boolean;
}

/** The event that carries each raw provider event: Anthropic MessageStream, OpenAI chat, OpenAI responses. */
const ITEM_EVENTS = ['streamEvent', 'chunk', 'event'];

/** The one warning for a failure inside model-call instrumentation; the host's call goes on. */
export function instrumentationFailed(err: unknown): void {
  warnOnce('model-call-instrumentation', `model-call instrumentation failed (${err instanceof Error ? err.message : String(err)}); the call goes on, its span may lack usage`);
}

/** Observer wrapper: onItem and onEnd never throw, onEnd runs once, nothing is seen after it. */
function guard(observer: StreamObserver): StreamObserver {
  let ended = false;
  return {
    onItem(item) {
      if (ended) return;
      try {
        observer.onItem(item);
      } catch (err) {
        // A malformed event must not break the reader.
        instrumentationFailed(err);
      }
    },
    onEnd(end) {
      if (ended) return;
      ended = true;
      try {
        observer.onEnd(end);
      } catch (err) {
        // Ending the span must not break the reader.
        instrumentationFailed(err);
      }
    },
  };
}

/** Sets an own, non-enumerable property, so the object still serialises and enumerates as before. */
function define(target: object, key: PropertyKey, value: unknown): void {
  Object.defineProperty(target, key, { value, writable: true, configurable: true, enumerable: false });
}

/** Reports one next()/throw() outcome: each item before the reader sees it, the end once. */
function watchStep(step: unknown, o: StreamObserver): unknown {
  if (!(step instanceof Promise)) return step;
  step.then(
    (r: IteratorResult<unknown> | undefined) => {
      if (r?.done) o.onEnd({ reason: 'completed' });
      else o.onItem(r?.value);
    },
    (error: unknown) => o.onEnd({ reason: 'failed', error }),
  );
  return step;
}

/**
 * Instruments next/return/throw of an iterator that is its own iterable (an
 * async generator, such as Google's generateContentStream result), so both
 * `for await` and direct `next()` calls are seen.
 */
function watchIterator(it: Obj, o: StreamObserver): void {
  const next = it.next as Fn;
  const ret = it.return as Fn | undefined;
  const thr = it.throw as Fn | undefined;
  define(it, 'next', function (this: unknown, ...args: unknown[]) {
    return watchStep(next.apply(this, args), o);
  });
  if (typeof ret === 'function')
    define(it, 'return', function (this: unknown, ...args: unknown[]) {
      o.onEnd({ reason: 'abandoned' });
      return ret.apply(this, args);
    });
  if (typeof thr === 'function')
    define(it, 'throw', function (this: unknown, ...args: unknown[]) {
      o.onEnd({ reason: 'abandoned' });
      return thr.apply(this, args);
    });
}

/** A new iterator over `source` that reports to o (the iterable's own iterator is created per read). */
function watchedIterator(source: AsyncIterator<unknown>, o: StreamObserver): AsyncIterator<unknown> & AsyncIterable<unknown> {
  const iterator: AsyncIterator<unknown> & AsyncIterable<unknown> = {
    next: (...args: [] | [unknown]) => watchStep(source.next(...args), o) as Promise<IteratorResult<unknown>>,
    return: async (value?: unknown) => {
      o.onEnd({ reason: 'abandoned' });
      return (await source.return?.(value)) ?? { done: true, value };
    },
    throw: async (error?: unknown) => {
      o.onEnd({ reason: 'abandoned' });
      if (source.throw) return source.throw(error);
      throw error;
    },
    [Symbol.asyncIterator]: () => iterator,
  };
  return iterator;
}

/** An SDK Stream's AbortSignal (`stream.controller.signal`), when it has one. */
function abortSignal(stream: Obj): AbortSignal | undefined {
  const controller = stream.controller;
  const signal = isObject(controller) ? controller.signal : undefined;
  return isObject(signal) && typeof signal.addEventListener === 'function' && typeof signal.aborted === 'boolean' ? (signal as unknown as AbortSignal) : undefined;
}

/**
 * Instruments an iterable that makes a fresh iterator per read (the SDK
 * `Stream` of Anthropic and OpenAI): its first read is observed, `tee()`
 * branches are observed too (OpenAI's tee reads around Symbol.asyncIterator),
 * and an abort before anyone reads ends the observation.
 */
function watchIterable(stream: Obj, o: StreamObserver): void {
  const iterate = stream[Symbol.asyncIterator] as Fn;
  const signal = abortSignal(stream);
  const onAbort = (): void => o.onEnd({ reason: 'abandoned' });
  let observed = false;
  define(stream, Symbol.asyncIterator, function (this: unknown, ...args: unknown[]) {
    const source = iterate.apply(this, args) as AsyncIterator<unknown>;
    if (observed || !isObject(source) || typeof source.next !== 'function') return source;
    observed = true;
    // From here the reader sees how the read ends; the SDK aborts its own controller when it closes.
    signal?.removeEventListener('abort', onAbort);
    return watchedIterator(source, o);
  });
  const tee = stream.tee;
  if (typeof tee === 'function')
    define(stream, 'tee', function (this: unknown, ...args: unknown[]) {
      const branches = (tee as Fn).apply(this, args);
      if (Array.isArray(branches)) for (const branch of branches) observeStream(branch, o);
      return branches;
    });
  if (signal?.aborted) o.onEnd({ reason: 'abandoned' });
  else signal?.addEventListener('abort', onAbort, { once: true });
}

/**
 * Watches an event-driven stream through its public events. Its 'end' comes
 * after 'error' and 'abort'; the error is then read back from done(), because
 * an 'error' listener of ours would hide from the SDK that the caller has none
 * (it raises an unhandled rejection then, and must keep doing so).
 */
function watchEvents(stream: EventStreamLike, o: StreamObserver): void {
  for (const name of ITEM_EVENTS) stream.on(name, (item: unknown) => o.onItem(item));
  stream.on('end', () => {
    if (stream.aborted) o.onEnd({ reason: 'abandoned' });
    else if (!stream.errored) o.onEnd({ reason: 'completed' });
    else
      stream.done().then(
        () => o.onEnd({ reason: 'completed' }),
        (error: unknown) => o.onEnd({ reason: 'failed', error }),
      );
  });
}

/**
 * Instruments `stream` in place so `observer` sees each item and, once, how
 * the read ended. Returns false when `stream` is not a stream it can watch
 * (the observer is then never called). A stream nobody reads, aborts or
 * closes never reports an end.
 */
export function observeStream(stream: unknown, observer: StreamObserver): boolean {
  const o = guard(observer);
  try {
    if (isEventStream(stream)) watchEvents(stream, o);
    else if (isAsyncIterable(stream) && typeof (stream as unknown as Obj).next === 'function') watchIterator(stream as unknown as Obj, o);
    else if (isAsyncIterable(stream)) watchIterable(stream as unknown as Obj, o);
    else return false;
    return true;
  } catch (err) {
    // A stream that cannot be instrumented (frozen, exotic) is returned untouched.
    instrumentationFailed(err);
    return false;
  }
}
