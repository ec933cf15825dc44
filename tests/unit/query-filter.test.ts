import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  compileFilter,
  type ComparisonNode,
  type FilterNode,
  formatFilter,
  parseFilter,
  QueryError,
  type QueryErrorCode,
  type QueryLimits,
  type QueryTypeDef,
} from '../../src/mock/query/index.ts';
import { foldCompare, foldEqualsFolded, foldString } from '../../src/mock/query/fold.ts';

// A BackupTaskSession-like query type (002_270bb54a32ca9e9c.txt, "Optional Parameters").
interface Sess {
  uid: string;
  name: string;
  ct: number;
  et: number | null;
  state: string;
  result: string | null;
  size: number;
  js: string;
  vm: string | null;
}
const STATES = ['InProgress', 'Pending', 'Completed'] as const;
const RESULTS = ['Success', 'Warning', 'Failed'] as const;
const T: QueryTypeDef<Sess> = {
  name: 'BackupTaskSession',
  fields: [
    { name: 'UID', type: 'uid', get: (r) => r.uid },
    { name: 'Name', type: 'string', get: (r) => r.name },
    { name: 'CreationTime', type: 'datetime', get: (r) => r.ct },
    { name: 'EndTime', type: 'datetime', get: (r) => r.et },
    { name: 'State', type: 'enum', values: STATES, get: (r) => r.state },
    { name: 'Result', type: 'enum', values: RESULTS, get: (r) => r.result },
    { name: 'TotalSize', type: 'long', get: (r) => r.size },
    { name: 'JobSessionUid', type: 'uid', get: (r) => r.js },
    { name: 'VmDisplayName', type: 'string', get: (r) => r.vm },
  ],
};

const t = (s: string): number => Date.parse(s);
const G1 = '38ceb150-e0a8-4f87-8a17-243afc1b98f4';
const G2 = 'e381e791-db27-492a-889b-1ed1f8217016';
const J1 = '35c24055-bdee-4e43-b655-a42de408d2ec';
const J2 = '2d4de050-b10b-4ece-8ce6-204293ddc01a';

const RECS: Sess[] = [
  { uid: G1, name: 'dbserver01@2021-06-05 01:04:29', ct: t('2021-06-05T01:04:29.560Z'), et: t('2021-06-05T01:04:44.530Z'), state: 'Completed', result: 'Failed', size: 0, js: J1, vm: 'dbserver01' },
  { uid: G2, name: 'dbserver01@2021-05-13 05:00:30', ct: t('2021-05-13T05:00:30.853Z'), et: t('2021-05-13T05:01:57.830Z'), state: 'Completed', result: 'Warning', size: 1024, js: J2, vm: 'dbserver01' },
  { uid: 'c8de8f77-46d7-4671-b789-f490cd710692', name: 'Exchange Backup', ct: t('2021-05-12T05:00:31.120Z'), et: t('2021-05-12T05:01:58.407Z'), state: 'Completed', result: 'Success', size: 5_000_000_000, js: J2, vm: 'mail01' },
  { uid: '00000000-0000-0000-0000-000000000004', name: 'running', ct: t('2021-06-06T00:00:00Z'), et: null, state: 'InProgress', result: null, size: 0, js: J1, vm: 'web 01' },
  { uid: '00000000-0000-0000-0000-000000000005', name: '"Backup"', ct: t('2021-06-04T00:00:00Z'), et: t('2021-06-04T00:10:00Z'), state: 'Pending', result: 'Success', size: 7, js: J1, vm: null },
  { uid: '00000000-0000-0000-0000-000000000006', name: 'say "hi"', ct: t('2021-01-01T00:00:00Z'), et: t('2021-01-01T00:00:00Z'), state: 'Completed', result: 'Warning', size: -3, js: J2, vm: 'DBSERVER01' },
];

function match(filter: string, limits?: Partial<QueryLimits>, recs: Sess[] = RECS): string[] {
  const p = compileFilter(parseFilter(filter, T, limits), T, limits);
  return recs.filter(p).map((r) => r.name);
}

function err(filter: string, limits?: Partial<QueryLimits>): QueryError {
  try {
    parseFilter(filter, T, limits);
  } catch (e) {
    expect(e).toBeInstanceOf(QueryError);
    return e as QueryError;
  }
  throw new Error(`expected '${filter}' to be rejected`);
}

describe('parseFilter: comparisons', () => {
  it('parses the documented example into an AND of two comparisons', () => {
    const n = parseFilter('Result==Failed;VmDisplayName==dbserver01', T);
    expect(n).toEqual({
      kind: 'and',
      children: [
        { kind: 'cmp', field: 'Result', type: 'enum', op: '==', value: 2, text: 'Failed', position: 0 },
        { kind: 'cmp', field: 'VmDisplayName', type: 'string', op: '==', value: 'dbserver01', text: 'dbserver01', position: 15 },
      ],
    });
    expect(match('Result==Failed;VmDisplayName==dbserver01')).toEqual(['dbserver01@2021-06-05 01:04:29']);
  });

  it.each([
    ['TotalSize==0', ['dbserver01@2021-06-05 01:04:29', 'running']],
    ['TotalSize!=0', ['dbserver01@2021-05-13 05:00:30', 'Exchange Backup', '"Backup"', 'say "hi"']],
    ['TotalSize<7', ['dbserver01@2021-06-05 01:04:29', 'running', 'say "hi"']],
    ['TotalSize<=7', ['dbserver01@2021-06-05 01:04:29', 'running', '"Backup"', 'say "hi"']],
    ['TotalSize>1024', ['Exchange Backup']],
    ['TotalSize>=1024', ['dbserver01@2021-05-13 05:00:30', 'Exchange Backup']],
    ['TotalSize>-4', ['dbserver01@2021-06-05 01:04:29', 'dbserver01@2021-05-13 05:00:30', 'Exchange Backup', 'running', '"Backup"', 'say "hi"']],
    ['TotalSize==+7', ['"Backup"']],
  ])('integer operator %s', (f, expected) => {
    expect(match(f)).toEqual(expected);
  });

  it.each([
    ['CreationTime>"2021-06-04T00:00:00Z"', ['dbserver01@2021-06-05 01:04:29', 'running']],
    ['CreationTime>="2021-06-04T00:00:00Z"', ['dbserver01@2021-06-05 01:04:29', 'running', '"Backup"']],
    ['CreationTime<"2021-05-13T05:00:30.853Z"', ['Exchange Backup', 'say "hi"']],
    ['CreationTime<="2021-05-13T05:00:30.853Z"', ['dbserver01@2021-05-13 05:00:30', 'Exchange Backup', 'say "hi"']],
    ['CreationTime=="2021-05-13T05:00:30.853Z"', ['dbserver01@2021-05-13 05:00:30']],
    ['CreationTime!="2021-05-13T05:00:30.853Z"', ['dbserver01@2021-06-05 01:04:29', 'Exchange Backup', 'running', '"Backup"', 'say "hi"']],
  ])('datetime operator %s', (f, expected) => {
    expect(match(f)).toEqual(expected);
  });

  it('string operators compare case-insensitively by default', () => {
    expect(match('VmDisplayName==DbServer01')).toEqual(['dbserver01@2021-06-05 01:04:29', 'dbserver01@2021-05-13 05:00:30', 'say "hi"']);
    expect(match('VmDisplayName!=dbserver01')).toEqual(['Exchange Backup', 'running']); // null VM excluded
    expect(match('VmDisplayName<MAIL01')).toEqual(['dbserver01@2021-06-05 01:04:29', 'dbserver01@2021-05-13 05:00:30', 'say "hi"']);
    expect(match('VmDisplayName<=MAIL01')).toEqual(['dbserver01@2021-06-05 01:04:29', 'dbserver01@2021-05-13 05:00:30', 'Exchange Backup', 'say "hi"']);
    expect(match('VmDisplayName>mail01')).toEqual(['running']);
    expect(match('VmDisplayName>=mail01')).toEqual(['Exchange Backup', 'running']);
  });

  it('string compare can be case-sensitive', () => {
    const cs = { stringCompare: 'case-sensitive' as const };
    expect(match('VmDisplayName==dbserver01', cs)).toEqual(['dbserver01@2021-06-05 01:04:29', 'dbserver01@2021-05-13 05:00:30']);
    expect(match('VmDisplayName==DBSERVER01', cs)).toEqual(['say "hi"']);
    expect(match('VmDisplayName<dbserver01', cs)).toEqual(['say "hi"']); // 'D' < 'd' ordinal
  });

  it('field names are case-insensitive and canonicalised', () => {
    const n = parseFilter('vmdisplayname==x', T) as ComparisonNode;
    expect(n.field).toBe('VmDisplayName');
    expect(match('RESULT==failed')).toEqual(match('Result==Failed'));
    expect(match('result=="FAILED"')).toEqual(['dbserver01@2021-06-05 01:04:29']);
  });

  it('enum values are compared by their documented index (Success < Warning < Failed)', () => {
    expect(match('Result>Success')).toEqual(['dbserver01@2021-06-05 01:04:29', 'dbserver01@2021-05-13 05:00:30', 'say "hi"']);
    expect(match('Result<=Warning')).toEqual(['dbserver01@2021-05-13 05:00:30', 'Exchange Backup', '"Backup"', 'say "hi"']);
    expect(match('Result<Success')).toEqual([]);
    expect(match('Result>=failed')).toEqual(['dbserver01@2021-06-05 01:04:29']);
    expect(match('State<Completed')).toEqual(['running', '"Backup"']);
    expect(match('State!=Completed')).toEqual(['running', '"Backup"']);
    expect((parseFilter('Result>success', T) as ComparisonNode).text).toBe('Success');
  });

  it('UID values may be bare GUIDs or URNs, any case', () => {
    expect(match(`UID==${G1}`)).toEqual(['dbserver01@2021-06-05 01:04:29']);
    expect(match(`UID==${G1.toUpperCase()}`)).toEqual(['dbserver01@2021-06-05 01:04:29']);
    expect(match(`UID=="urn:veeam:BackupTaskSession:${G1}"`)).toEqual(['dbserver01@2021-06-05 01:04:29']);
    expect(match(`uid==URN:VEEAM:BACKUPTASKSESSION:${G1.toUpperCase()}`)).toEqual(['dbserver01@2021-06-05 01:04:29']);
    expect(match(`UID=={${G2}}`)).toEqual(['dbserver01@2021-05-13 05:00:30']);
    expect(match(`JobSessionUid==urn:veeam:BackupJobSession:${J2}`)).toEqual(['dbserver01@2021-05-13 05:00:30', 'Exchange Backup', 'say "hi"']);
    expect(match(`JobSessionUid!=${J2}`)).toEqual(['dbserver01@2021-06-05 01:04:29', 'running', '"Backup"']);
    expect((parseFilter(`UID==urn:veeam:BackupTaskSession:${G1.toUpperCase()}`, T) as ComparisonNode).value).toBe(G1);
  });

  it('record UIDs given as URNs are compared by id too', () => {
    const recs = [{ ...RECS[0]!, uid: `urn:veeam:BackupTaskSession:${G1.toUpperCase()}` }];
    expect(match(`UID==${G1}`, undefined, recs)).toHaveLength(1);
  });
});

describe('parseFilter: AND, OR, precedence, grouping', () => {
  it('; is AND, , is OR', () => {
    expect(match('VmDisplayName==mail01,VmDisplayName==web01')).toEqual(['Exchange Backup']);
    expect(match('VmDisplayName==mail01,Name==running')).toEqual(['Exchange Backup', 'running']);
    expect(match('VmDisplayName==dbserver01;Result==Warning')).toEqual(['dbserver01@2021-05-13 05:00:30', 'say "hi"']);
  });

  it('; binds tighter than , (a,b;c = a OR (b AND c))', () => {
    const n = parseFilter('Name==a,Name==b;Name==c', T);
    expect(n.kind).toBe('or');
    expect((n as { children: FilterNode[] }).children.map((c) => c.kind)).toEqual(['cmp', 'and']);
    expect(match('Result==Failed,State==Pending;TotalSize==7')).toEqual(['dbserver01@2021-06-05 01:04:29', '"Backup"']);
    expect(match('Result==Failed,State==Pending;TotalSize==8')).toEqual(['dbserver01@2021-06-05 01:04:29']);
    expect(match('(Result==Failed,State==Pending);TotalSize==7')).toEqual(['"Backup"']);
  });

  it('reads the documented grouping example (AND groups ORed)', () => {
    interface Job { type: string; sched: boolean; name: string }
    const JT: QueryTypeDef<Job> = {
      name: 'Job',
      fields: [
        { name: 'JobType', type: 'enum', values: ['Backup', 'Replica', 'Copy'], get: (r) => r.type },
        { name: 'ScheduleConfigured', type: 'bool', get: (r) => r.sched },
        { name: 'Name', type: 'string', get: (r) => r.name },
      ],
    };
    const jobs: Job[] = [
      { type: 'Replica', sched: false, name: 'r0' },
      { type: 'Replica', sched: true, name: 'r1' },
      { type: 'Backup', sched: false, name: 'b0' },
      { type: 'Backup', sched: true, name: 'b1' },
      { type: 'Copy', sched: true, name: 'c1' },
    ];
    const p = compileFilter(
      parseFilter('(jobtype==replica;scheduleconfigured==false),(jobtype==backup;scheduleconfigured==true)', JT),
      JT,
    );
    expect(jobs.filter(p).map((j) => j.name)).toEqual(['r0', 'b1']);
    const q = compileFilter(parseFilter('ScheduleConfigured>false;ScheduleConfigured==TRUE', JT), JT);
    expect(jobs.filter(q).map((j) => j.name)).toEqual(['r1', 'b1', 'c1']);
  });

  it('supports nested parentheses and flattens groups', () => {
    expect(match('((((Result==Failed))))')).toEqual(['dbserver01@2021-06-05 01:04:29']);
    expect(match('((Result==Failed,(Result==Warning;(TotalSize>0))));VmDisplayName==dbserver01')).toEqual([
      'dbserver01@2021-06-05 01:04:29',
      'dbserver01@2021-05-13 05:00:30',
    ]);
    const n = parseFilter('(Name==a;Name==b);(Name==c;Name==d)', T);
    expect(n.kind).toBe('and');
    expect((n as { children: FilterNode[] }).children).toHaveLength(4);
  });

  it('ignores whitespace around tokens', () => {
    expect(match(' ( Result == Failed ) ;\tVmDisplayName == dbserver01 \n')).toEqual(['dbserver01@2021-06-05 01:04:29']);
    expect(match('Result ==  "Failed" , Name == running')).toEqual(['dbserver01@2021-06-05 01:04:29', 'running']);
  });
});

describe('parseFilter: values and quoting', () => {
  it('quoted values keep spaces; unquoted values drop them', () => {
    expect(match('Name=="Exchange Backup"')).toEqual(['Exchange Backup']);
    expect(match('Name==Exchange Backup')).toEqual([]); // value is "ExchangeBackup"
    expect((parseFilter('Name==Exchange Backup', T) as ComparisonNode).value).toBe('ExchangeBackup');
    expect(match('VmDisplayName==db server 01')).toEqual(['dbserver01@2021-06-05 01:04:29', 'dbserver01@2021-05-13 05:00:30', 'say "hi"']);
    expect(match('VmDisplayName=="web 01"')).toEqual(['running']);
  });

  it('doubled quotes are literal quotes (documented Name==""Backup"")', () => {
    expect((parseFilter('Name==""Backup""', T) as ComparisonNode).value).toBe('"Backup"');
    expect(match('Name==""Backup""')).toEqual(['"Backup"']);
    expect(match('Name=="""Backup"""')).toEqual(['"Backup"']);
    expect(match('Name=="say ""hi"""')).toEqual(['say "hi"']);
    expect(match('Name==say""hi""')).toEqual([]); // unquoted: spaces would be dropped
    expect((parseFilter('Name==say""hi""', T) as ComparisonNode).value).toBe('say"hi"');
    expect((parseFilter('Name==""', T) as ComparisonNode).value).toBe('');
    expect((parseFilter('Name==""""', T) as ComparisonNode).value).toBe('"');
    expect((parseFilter('Name=="a;b,(c)"', T) as ComparisonNode).value).toBe('a;b,(c)');
  });

  it('case-insensitivity covers non-ASCII letters', () => {
    const recs = [{ ...RECS[0]!, name: 'Überprüfung Ärger' }];
    expect(match('Name=="ÜBERPRÜFUNG ärger"', undefined, recs)).toHaveLength(1);
    expect(match('Name>="überprüfung"', undefined, recs)).toHaveLength(1);
  });

  it('the case folding is idempotent over the whole BMP', () => {
    let all = '';
    for (let c = 0; c < 65536; c++) all += String.fromCharCode(c);
    const once = foldString(all);
    expect(foldString(once)).toBe(once);
    expect(foldEqualsFolded(all, once)).toBe(true);
    expect(foldCompare(all, once)).toBe(0);
  });

  it('typographic quotes are ordinary characters', () => {
    expect((parseFilter('Name==”Fileserver Backup”', T) as ComparisonNode).value).toBe('”FileserverBackup”');
  });

  it('a value may contain = < > !', () => {
    expect((parseFilter('Name==a=b', T) as ComparisonNode).value).toBe('a=b');
    expect((parseFilter('Name!=!x', T) as ComparisonNode).value).toBe('!x');
  });

  it.each([
    ['2021-06-04T00:00:00Z', '2021-06-04T00:00:00.000Z'],
    ['2021-06-04T00:00:00.5Z', '2021-06-04T00:00:00.500Z'],
    ['2025-08-14T12:31:30.389Z', '2025-08-14T12:31:30.389Z'],
    ['2021-06-04t00:00:00z', '2021-06-04T00:00:00.000Z'],
    ['2021-06-04T00:00:00', '2021-06-04T00:00:00.000Z'],
    ['2021-06-04T00:00', '2021-06-04T00:00:00.000Z'],
    ['2021-06-04', '2021-06-04T00:00:00.000Z'],
    ['2021-06-04T02:00:00+02:00', '2021-06-04T00:00:00.000Z'],
    ['2021-06-03T22:30:00-0130', '2021-06-04T00:00:00.000Z'],
    ['2024-02-29T23:59:59Z', '2024-02-29T23:59:59.000Z'],
    ['0001-01-01T00:00:00Z', '0001-01-01T00:00:00.000Z'],
    ['9999-12-31T23:59:59Z', '9999-12-31T23:59:59.000Z'],
  ])('datetime %s', (text, iso) => {
    expect((parseFilter(`CreationTime>="${text}"`, T) as ComparisonNode).value).toBe(Date.parse(iso));
    expect((parseFilter(`CreationTime>=${text}`, T) as ComparisonNode).value).toBe(Date.parse(iso));
  });

  it('keeps sub-millisecond fractions as fractional milliseconds', () => {
    const v = (parseFilter('CreationTime>"2025-08-14T12:31:30.389954Z"', T) as ComparisonNode).value as number;
    expect(v - Date.parse('2025-08-14T12:31:30.389Z')).toBeCloseTo(0.954, 3);
    expect(match('CreationTime>"2021-05-13T05:00:30.8529Z";CreationTime<"2021-05-13T05:00:30.8531Z"')).toEqual([
      'dbserver01@2021-05-13 05:00:30',
    ]);
  });

  it('date-only and zone-less dates select as expected', () => {
    expect(match('CreationTime>=2021-06-05;CreationTime<2021-06-06')).toEqual(['dbserver01@2021-06-05 01:04:29']);
    expect(match('CreationTime>="2021-06-05T01:04:29.56"')).toEqual(['dbserver01@2021-06-05 01:04:29', 'running']);
  });

  it('zone-less dates can be rejected (date-only stays accepted)', () => {
    const e = err('CreationTime>"2021-06-04T00:00:00"', { zonelessDates: 'reject' });
    expect(e.code).toBe('BadValue');
    expect(e.message).toMatch(/no time zone/);
    expect(() => parseFilter('CreationTime>"2021-06-04T00:00:00Z"', T, { zonelessDates: 'reject' })).not.toThrow();
    expect(() => parseFilter('CreationTime>2021-06-04', T, { zonelessDates: 'reject' })).not.toThrow();
  });

  it('null record values never match, not even with !=', () => {
    expect(match('EndTime!="2000-01-01T00:00:00Z"')).not.toContain('running');
    expect(match('EndTime>"2000-01-01T00:00:00Z"')).not.toContain('running');
    expect(match('EndTime<"3000-01-01T00:00:00Z"')).not.toContain('running');
    expect(match('Result!=Success')).toEqual(['dbserver01@2021-06-05 01:04:29', 'dbserver01@2021-05-13 05:00:30', 'say "hi"']);
    expect(match('VmDisplayName!=zzz')).not.toContain('"Backup"');
    // Every operator, on every field, against a record whose values are all null/undefined/NaN:
    const nul = { uid: null, name: undefined, ct: NaN, et: Infinity, state: 'Bogus', result: null, size: null, js: undefined, vm: null } as unknown as Sess;
    for (const f of ['UID', 'Name', 'CreationTime', 'EndTime', 'State', 'Result', 'TotalSize', 'JobSessionUid', 'VmDisplayName'])
      for (const op of ['==', '!=', '<', '<=', '>', '>=']) {
        const v = { UID: G1, JobSessionUid: G1, CreationTime: '2021-01-01', EndTime: '2021-01-01', State: 'Pending', Result: 'Warning', TotalSize: '1' }[f] ?? 'x';
        expect(compileFilter(parseFilter(`${f}${op}${v}`, T), T)(nul)).toBe(false);
      }
  });

  it('int and long ranges', () => {
    interface N { n: number }
    const NT: QueryTypeDef<N> = { name: 'N', fields: [{ name: 'I', type: 'int', get: (r) => r.n }, { name: 'L', type: 'long', get: (r) => r.n }] };
    expect(() => parseFilter('I==2147483647', NT)).not.toThrow();
    expect(() => parseFilter('I==-2147483648', NT)).not.toThrow();
    expect(() => parseFilter('I==2147483648', NT)).toThrow(/out of range for an int/);
    expect(() => parseFilter('L==9223372036854775807', NT)).not.toThrow();
    expect(() => parseFilter('L==9223372036854775808', NT)).toThrow(/out of range for a long/);
    expect((parseFilter('L==5000000000', NT) as ComparisonNode).value).toBe(5_000_000_000);
  });
});

describe('parseFilter: errors', () => {
  const cases: [string, QueryErrorCode, RegExp, Partial<QueryLimits>?][] = [
    ['', 'BadFilter', /empty/],
    ['   ', 'BadFilter', /empty/],
    ['(Result==Failed', 'BadFilter', /unbalanced parentheses: '\(' at position 0 is never closed/],
    ['((Result==Failed)', 'BadFilter', /never closed/],
    ['Result==Failed)', 'BadFilter', /unbalanced parentheses: '\)' at position 14 has no matching/],
    ['()', 'BadFilter', /expected a comparison but found '\)'/],
    ['Result==Failed;', 'BadFilter', /ends where a comparison was expected \(after ';'\)/],
    ['Result==Failed,', 'BadFilter', /ends where a comparison was expected \(after ','\)/],
    ['Result==Failed;;Name==x', 'BadFilter', /empty term/],
    [';Name==x', 'BadFilter', /empty term/],
    ['Result==', 'BadFilter', /missing value after 'Result=='/],
    ['Result==;Name==x', 'BadFilter', /missing value/],
    ['Result', 'BadFilter', /expected an operator .* after field 'Result' but found end of filter/],
    ['Result=Failed', 'BadFilter', /'=' is not an operator/],
    ['Result=>Failed', 'BadFilter', /'=' is not an operator/],
    ['Result Failed', 'BadFilter', /expected an operator/],
    ['==Failed', 'BadFilter', /expected a field name but found '='/],
    ['Name=="abc', 'BadFilter', /quoted value starting at position 6 is not terminated/],
    ['Name=="a"b', 'BadFilter', /unexpected 'b' after the quoted value/],
    ['Name==a"b', 'BadFilter', /quote inside an unquoted value must be doubled/],
    ['Name==a(b)', 'BadFilter', /unexpected '\('/],
    ['Name==a b;(Name==c) d', 'BadFilter', /unexpected 'd'|expected/],
    ['Nmae==x', 'UnknownField', /Unknown filter field 'Nmae' for type BackupTaskSession .*valid fields: UID, Name, CreationTime/],
    ['Name==x;Reason==y', 'UnknownField', /'Reason'/],
    ['Result==Foo', 'BadValue', /'Foo' is not a valid value of Result; valid values: Success, Warning, Failed/],
    ['State==""', 'BadValue', /not a valid value of State/],
    ['CreationTime>yesterday', 'BadValue', /not a UTC date-time/],
    ['CreationTime>"2025-02-30T00:00:00Z"', 'BadValue', /day 30 is out of range/],
    ['CreationTime>"2025-13-01"', 'BadValue', /month 13/],
    ['CreationTime>"2025-01-01T24:00:00Z"', 'BadValue', /hour 24/],
    ['CreationTime>"2025-01-01T00:00:60Z"', 'BadValue', /second 60/],
    ['CreationTime>"0000-01-01"', 'BadValue', /year/],
    ['CreationTime>"2025-01-01T00:00:00+15:00"', 'BadValue', /offset/],
    ['CreationTime>null', 'BadValue', /not a UTC date-time/],
    ['TotalSize>1.5', 'BadValue', /not an integer/],
    ['TotalSize>0x10', 'BadValue', /not an integer/],
    ['UID==not a guid!', 'BadValue', /not a valid UID/],
    ['UID=="urn:veeam:Job:"', 'BadValue', /not a valid UID/],
    ['Name==' + 'x'.repeat(5000), 'FilterTooLong', /5006 characters long; the maximum is 4096/],
    ['Name==x', 'FilterTooLong', /maximum is 5/, { maxFilterLength: 5 }],
    ['('.repeat(33) + 'Name==x' + ')'.repeat(33), 'TooDeep', /nested deeper than 32 levels/],
    ['((Name==x))', 'TooDeep', /deeper than 1 level/, { maxDepth: 1 }],
  ];
  const labelled = cases.map(([f, code, msg, limits]) => ({
    label: JSON.stringify(f.length > 60 ? `${f.slice(0, 30)}…(${f.length} chars)` : f),
    f,
    code,
    msg,
    limits,
  }));
  it.each(labelled)('$label → $code', ({ f, code, msg, limits }) => {
    const e = err(f, limits);
    expect(e.code).toBe(code);
    expect(e.message).toMatch(msg);
    expect(e.name).toBe('QueryError');
  });

  it('allows exactly maxDepth levels', () => {
    expect(() => parseFilter('('.repeat(32) + 'Name==x' + ')'.repeat(32), T)).not.toThrow();
  });

  it('reports positions', () => {
    expect(err('Result==Failed;Nmae==x').position).toBe(15);
    expect(err('Result==Failed;Name=="x').position).toBe(21);
    expect(err('Result==Foo').position).toBe(8);
  });

  it('turns stack exhaustion into TooDeep under permissive limits', () => {
    const deep = '('.repeat(200_000) + 'Name==x' + ')'.repeat(200_000);
    const e = err(deep, { maxDepth: 10_000_000, maxFilterLength: 10_000_000 });
    expect(e.code).toBe('TooDeep');
  });
});

describe('formatFilter', () => {
  it('renders a filter that parses back to the same tree', () => {
    for (const f of [
      'Result==Failed;VmDisplayName==dbserver01',
      '(jobtype==replica;scheduleconfigured==false),(jobtype==backup;scheduleconfigured==true)'.replace(/jobtype/g, 'State').replace(/replica/g, 'Pending').replace(/backup/g, 'Completed').replace(/scheduleconfigured==(true|false)/g, 'TotalSize>1'),
      'Name==""Backup"";(Name=="a,b",Name<="x""y");CreationTime>"2025-08-14T12:31:30.389954Z"',
      `UID==urn:veeam:BackupTaskSession:${G1.toUpperCase()}`,
    ]) {
      const n = parseFilter(f, T);
      expect(strip(parseFilter(formatFilter(n), T))).toEqual(strip(n));
    }
    expect(formatFilter(parseFilter('a==1,b==2;(c==3,d==4)'.replace(/[abcd]/g, 'Name'), T))).toBe(
      'Name=="1",Name=="2";(Name=="3",Name=="4")',
    );
  });
});

// ------------------------------------------------------------------------------------------------------------------
// Properties

function strip(n: FilterNode): unknown {
  if (n.kind === 'cmp') {
    const { position: _p, ...rest } = n;
    return rest;
  }
  return { kind: n.kind, children: n.children.map(strip) };
}

function isQueryError(e: unknown): boolean {
  return e instanceof QueryError && typeof e.message === 'string' && e.message.length > 0;
}

// Alphabet biased towards the grammar's characters.
const filterChar = fc.constantFrom(
  ...'()(),;;====!<>"" \t\nNameResultFailedUIDCreationTime0123456789-:TZ.abc'.split(''),
  'é',
  '”',
  '\u0000',
  '\uD800',
);

describe('parseFilter properties', () => {
  it('non-string input is a QueryError too', () => {
    for (const bad of [undefined, null, 42, ['Name==x', 'Name==y'], {}])
      expect(() => parseFilter(bad as unknown as string, T)).toThrow(QueryError);
  });

  it('arbitrary strings: returns a node or throws QueryError, nothing else', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 200 }), fc.string({ unit: filterChar, maxLength: 200 })), (s) => {
        try {
          const n = parseFilter(s, T);
          expect(['cmp', 'and', 'or']).toContain(n.kind);
          // and the compiled predicate never throws
          const p = compileFilter(n, T);
          for (const r of RECS) expect(typeof p(r)).toBe('boolean');
        } catch (e) {
          if (!isQueryError(e)) throw e;
        }
      }),
      { numRuns: 3000 },
    );
  });

  it('mutations of valid filters: node or QueryError', () => {
    const base = 'Result==Failed;(VmDisplayName=="db 01",CreationTime>="2025-08-15T06:00:00Z");UID==' + G1;
    fc.assert(
      fc.property(fc.integer({ min: 0, max: base.length }), fc.integer({ min: 0, max: 5 }), fc.string({ unit: filterChar, maxLength: 4 }), (at, del, ins) => {
        const s = base.slice(0, at) + ins + base.slice(at + del);
        try {
          parseFilter(s, T);
        } catch (e) {
          if (!isQueryError(e)) throw e;
        }
      }),
      { numRuns: 3000 },
    );
  });

  // Random ASTs rendered with random spelling (case, spacing, quoting) parse back to the same tree and the compiled
  // predicate agrees with a naive reference evaluator.
  const fieldArb = fc.constantFrom('UID', 'Name', 'CreationTime', 'EndTime', 'State', 'Result', 'TotalSize', 'JobSessionUid', 'VmDisplayName');
  const opArb = fc.constantFrom('==', '!=', '<', '<=', '>', '>=');
  const guidArb = fc.constantFrom(G1, G2, J1, J2, '00000000-0000-0000-0000-000000000005');
  const valueFor = (f: string): fc.Arbitrary<{ text: string; quote: boolean }> => {
    switch (f) {
      case 'UID':
      case 'JobSessionUid':
        return fc.tuple(guidArb, fc.boolean(), fc.boolean()).map(([g, urn, up]) => {
          const v = urn ? `urn:veeam:X:${g}` : g;
          return { text: up ? v.toUpperCase() : v, quote: urn };
        });
      case 'CreationTime':
      case 'EndTime':
        return fc
          .tuple(fc.integer({ min: Date.parse('2020-12-31'), max: Date.parse('2021-06-07') }), fc.constantFrom('full', 'noZ', 'date'))
          .map(([ms, form]) => {
            const iso = new Date(ms).toISOString();
            return { text: form === 'full' ? iso : form === 'noZ' ? iso.slice(0, -1) : iso.slice(0, 10), quote: true };
          });
      case 'State':
        return fc.tuple(fc.constantFrom(...STATES), fc.boolean()).map(([v, lc]) => ({ text: lc ? v.toLowerCase() : v, quote: false }));
      case 'Result':
        return fc.tuple(fc.constantFrom(...RESULTS), fc.boolean()).map(([v, lc]) => ({ text: lc ? v.toUpperCase() : v, quote: false }));
      case 'TotalSize':
        return fc.integer({ min: -10, max: 6_000_000_000 }).map((n) => ({ text: String(n), quote: false }));
      default:
        return fc
          .constantFrom('dbserver01', 'DBSERVER01', 'mail01', 'web 01', '"Backup"', 'say "hi"', 'Exchange Backup', '', 'a;b,c(d)', 'running')
          .map((v) => ({ text: v, quote: true }));
    }
  };
  type Gen = { kind: 'cmp'; field: string; op: string; text: string; quote: boolean } | { kind: 'and' | 'or'; children: Gen[] };
  const cmpArb: fc.Arbitrary<Gen> = fieldArb.chain((f) =>
    fc.tuple(opArb, valueFor(f)).map(([op, v]) => ({ kind: 'cmp' as const, field: f, op, text: v.text, quote: v.quote })),
  );
  const { tree } = fc.letrec<{ tree: Gen }>((tie) => ({
    tree: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      cmpArb,
      fc.record({ kind: fc.constantFrom('and' as const, 'or' as const), children: fc.array(tie('tree'), { minLength: 2, maxLength: 4 }) }),
    ),
  }));
  const render = (g: Gen, ws: string, lcField: boolean, parentAnd: boolean): string => {
    if (g.kind === 'cmp') {
      const f = lcField ? g.field.toLowerCase() : g.field;
      const v = g.quote || g.text === '' || /[\s;,()"]/.test(g.text) ? `"${g.text.replace(/"/g, '""')}"` : g.text;
      return `${ws}${f}${ws}${g.op}${ws}${v}${ws}`;
    }
    const parts = g.children.map((c) => render(c, ws, lcField, g.kind === 'and'));
    const s = parts.join(g.kind === 'and' ? ';' : ',');
    return g.kind === 'or' && parentAnd ? `(${s})` : s;
  };
  const cmpRef = (a: number | string, b: number | string): number => (a < b ? -1 : a > b ? 1 : 0);
  const evalRef = (g: Gen, r: Sess): boolean => {
    if (g.kind !== 'cmp') return g.kind === 'and' ? g.children.every((c) => evalRef(c, r)) : g.children.some((c) => evalRef(c, r));
    return evalCmp(g, r);
  };
  const evalCmp = (g: Extract<Gen, { kind: 'cmp' }>, r: Sess): boolean => {
    let x: number | string | null;
    let v: number | string;
    switch (g.field) {
      case 'UID':
      case 'JobSessionUid':
        x = g.field === 'UID' ? r.uid : r.js;
        v = g.text.toLowerCase().replace(/^urn:veeam:x:/, '');
        break;
      case 'CreationTime':
      case 'EndTime':
        x = g.field === 'EndTime' ? r.et : r.ct;
        v = Date.parse(g.text.length === 10 ? g.text : g.text.endsWith('Z') ? g.text : g.text + 'Z');
        break;
      case 'State':
        x = r.state === null ? null : STATES.indexOf(r.state as (typeof STATES)[number]);
        v = STATES.findIndex((s) => s.toLowerCase() === g.text.toLowerCase());
        break;
      case 'Result':
        x = r.result === null ? null : RESULTS.indexOf(r.result as (typeof RESULTS)[number]);
        v = RESULTS.findIndex((s) => s.toLowerCase() === g.text.toLowerCase());
        break;
      case 'TotalSize':
        x = r.size;
        v = Number(g.text);
        break;
      default:
        x = g.field === 'Name' ? r.name.toLowerCase() : r.vm === null ? null : r.vm.toLowerCase();
        v = g.text.toLowerCase();
    }
    if (x === null || x === -1) return false;
    const d = cmpRef(x, v);
    const ops: Record<string, boolean> = { '==': d === 0, '!=': d !== 0, '<': d < 0, '<=': d <= 0, '>': d > 0, '>=': d >= 0 };
    return ops[g.op]!;
  };

  it('random ASTs rendered to text parse and evaluate like a reference evaluator', () => {
    fc.assert(
      fc.property(tree, fc.constantFrom('', ' ', '  \t'), fc.boolean(), (g, ws, lc) => {
        const text = render(g, ws, lc, false);
        fc.pre(text.length <= 4096);
        const n = parseFilter(text, T);
        const p = compileFilter(n, T);
        for (const r of RECS) expect(p(r)).toBe(evalRef(g, r));
        // canonical rendering round-trips
        expect(strip(parseFilter(formatFilter(n), T))).toEqual(strip(n));
      }),
      { numRuns: 1500 },
    );
  });

  it('never hangs: adversarial inputs of maximum length parse quickly', () => {
    const inputs = [
      '('.repeat(4096),
      ')'.repeat(4096),
      '"'.repeat(4096),
      '""'.repeat(2048),
      'Name=='.repeat(682),
      ('Name==x;').repeat(512).slice(0, 4096),
      ('Name==x,').repeat(512).slice(0, 4095) + 'x',
      'Name==' + ' '.repeat(4090),
      'Name=="' + '""'.repeat(2044) + '"',
      'CreationTime=="a' + ' '.repeat(4070) + 'a"',
      'UID=="a' + ' '.repeat(4070) + 'a"',
      'Name==' + 'a '.repeat(2045),
    ];
    for (const s of inputs) {
      const t0 = performance.now();
      try {
        parseFilter(s, T);
      } catch (e) {
        if (!isQueryError(e)) throw e;
      }
      expect(performance.now() - t0).toBeLessThan(200);
    }
  });
});
