/**
 * A bounded least-recently-used map: a Map for lookup plus an intrusive doubly linked list for
 * order, so touching and evicting are O(1) whatever the churn (a Map used as an LRU by
 * delete-then-set leaves deleted slots that every `keys().next()` must skip until a rehash).
 */
interface Node<K, V> {
  key: K;
  value: V;
  prev: Node<K, V> | null;
  next: Node<K, V> | null;
}

export class LruMap<K, V> {
  private readonly map = new Map<K, Node<K, V>>();
  private head: Node<K, V> | null = null; // least recently used
  private tail: Node<K, V> | null = null; // most recently used
  /** Entries evicted to stay within the bound. */
  evicted = 0;

  constructor(readonly max: number) {}

  get size(): number {
    return this.map.size;
  }

  /** The value for `key`, made most recent; or a new one from `make()` (evicting the oldest when full). */
  touch(key: K, make: () => V): V {
    const n = this.map.get(key);
    if (n !== undefined) {
      this.moveToTail(n);
      return n.value;
    }
    if (this.map.size >= this.max && this.head !== null) {
      this.delete(this.head.key);
      this.evicted++;
    }
    const node: Node<K, V> = { key, value: make(), prev: this.tail, next: null };
    if (this.tail !== null) this.tail.next = node;
    else this.head = node;
    this.tail = node;
    this.map.set(key, node);
    return node.value;
  }

  has(key: K): boolean {
    return this.map.has(key);
  }

  delete(key: K): boolean {
    const n = this.map.get(key);
    if (n === undefined) return false;
    this.unlink(n);
    this.map.delete(key);
    return true;
  }

  private unlink(n: Node<K, V>): void {
    if (n.prev !== null) n.prev.next = n.next;
    else this.head = n.next;
    if (n.next !== null) n.next.prev = n.prev;
    else this.tail = n.prev;
    n.prev = n.next = null;
  }

  private moveToTail(n: Node<K, V>): void {
    if (this.tail === n) return;
    this.unlink(n);
    n.prev = this.tail;
    if (this.tail !== null) this.tail.next = n;
    else this.head = n;
    this.tail = n;
  }
}
