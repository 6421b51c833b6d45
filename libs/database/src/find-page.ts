import type { EntityManager, EntityMetadata, EntityTarget, ObjectLiteral } from 'typeorm';

/** Column types whose raw pg value is what TypeORM would hydrate (no transform): the only ones findPage maps. */
const PLAIN_TYPES = new Set(['uuid', 'varchar', 'text', 'character varying', 'numeric', 'decimal', 'bigint', 'int', 'integer', 'smallint', 'boolean', 'timestamptz', 'timestamp with time zone', 'jsonb', 'json']);

interface PagePlan {
  readonly select: string;
  readonly from: string;
  /** property name → quoted column */
  readonly columns: ReadonlyMap<string, string>;
  readonly metadata: EntityMetadata;
}

const plans = new WeakMap<EntityMetadata, PagePlan>();

function planFor(metadata: EntityMetadata, escape: (name: string) => string): PagePlan {
  const cached = plans.get(metadata);
  if (cached) return cached;
  if (metadata.relations.length > 0 || metadata.embeddeds.length > 0) throw new Error(`findPage: ${metadata.name} has relations or embedded columns`);
  for (const c of metadata.columns) {
    const type = typeof c.type === 'string' ? c.type : '';
    if (!PLAIN_TYPES.has(type) || c.transformer || c.isArray || c.isVirtual) {
      throw new Error(`findPage: column ${metadata.name}.${c.propertyName} (${String(type || c.type)}) is not mapped as is`);
    }
  }
  const columns = new Map(metadata.columns.map((c) => [c.propertyName, escape(c.databaseName)] as const));
  const plan: PagePlan = {
    select: metadata.columns.map((c) => `${escape(c.databaseName)} AS ${escape(c.propertyName)}`).join(', '),
    from: metadata.schema ? `${escape(metadata.schema)}.${escape(metadata.tableName)}` : escape(metadata.tableName),
    columns,
    metadata,
  };
  plans.set(metadata, plan);
  return plan;
}

export interface PageQuery<T> {
  /** Equality filters by property; `null` means IS NULL, `undefined` means no filter. */
  readonly where: { readonly [K in keyof T]?: T[K] | null };
  readonly order: ReadonlyArray<readonly [keyof T & string, 'ASC' | 'DESC']>;
  readonly limit: number;
  readonly offset: number;
}

/**
 * One page of rows and the total count, like Repository.findAndCount, in ONE query (count(*) over () beside the
 * rows) instead of two, with the rows mapped straight onto entity instances: only for entities whose columns TypeORM
 * hydrates unchanged (no relations, embeddeds, transformers or simple-* types — checked, an error otherwise).
 * An offset past the end returns no row and therefore no count: then a second query counts.
 */
export async function findPage<T extends ObjectLiteral>(manager: EntityManager, target: EntityTarget<T>, q: PageQuery<T>): Promise<[T[], number]> {
  const driver = manager.connection.driver;
  const plan = planFor(manager.connection.getMetadata(target), (n) => driver.escape(n));
  const params: unknown[] = [];
  const conditions: string[] = [];
  for (const [prop, value] of Object.entries(q.where) as [string, unknown][]) {
    if (value === undefined) continue;
    const column = plan.columns.get(prop);
    if (!column) throw new Error(`findPage: ${plan.metadata.name} has no column ${prop}`);
    if (value === null) conditions.push(`${column} IS NULL`);
    else {
      params.push(value);
      conditions.push(`${column} = $${params.length}`);
    }
  }
  const where = conditions.length ? ` WHERE ${conditions.join(' AND ')}` : '';
  const orderBy = q.order.length
    ? ` ORDER BY ${q.order
        .map(([prop, dir]) => {
          const column = plan.columns.get(prop);
          if (!column) throw new Error(`findPage: ${plan.metadata.name} has no column ${prop}`);
          return `${column} ${dir === 'DESC' ? 'DESC' : 'ASC'}`;
        })
        .join(', ')}`
    : '';
  const rows = (await manager.query(`SELECT ${plan.select}, count(*) OVER () AS "__total" FROM ${plan.from}${where}${orderBy} LIMIT $${params.length + 1} OFFSET $${params.length + 2}`, [
    ...params,
    q.limit,
    q.offset,
  ])) as (Record<string, unknown> & { __total: string })[];
  if (rows.length === 0) {
    if (q.offset === 0) return [[], 0];
    const [{ n }] = (await manager.query(`SELECT count(*) AS n FROM ${plan.from}${where}`, params)) as [{ n: string }];
    return [[], Number(n)];
  }
  const total = Number(rows[0].__total);
  const entities = rows.map((raw) => {
    const e = plan.metadata.create() as Record<string, unknown>;
    for (const c of plan.metadata.columns) e[c.propertyName] = raw[c.propertyName];
    return e as T;
  });
  return [entities, total];
}
