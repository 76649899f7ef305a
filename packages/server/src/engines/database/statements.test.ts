import { describe, expect, it } from 'vitest';
import { renderStatement, splitStatements } from './statements.js';

describe('splitStatements', () => {
  it("splits on ';' outside quotes, comments and dollar quotes, dropping empty pieces", () => {
    expect(
      splitStatements(
        [`CREATE ROLE "{{name}}" WITH PASSWORD 'a;b'; GRANT SELECT ON t TO "{{name}}";`, 'COMMENT ON ROLE x IS $$semi;colon$$; -- tail;'],
        'postgresql',
      ),
    ).toEqual([
      `CREATE ROLE "{{name}}" WITH PASSWORD 'a;b'`,
      'GRANT SELECT ON t TO "{{name}}"',
      'COMMENT ON ROLE x IS $$semi;colon$$',
      '-- tail;',
    ]);
    expect(splitStatements(["CREATE USER '{{name}}'@'%' IDENTIFIED BY 'x;y'; GRANT SELECT ON *.* TO '{{name}}'@'%'"], 'mysql')).toEqual([
      "CREATE USER '{{name}}'@'%' IDENTIFIED BY 'x;y'",
      "GRANT SELECT ON *.* TO '{{name}}'@'%'",
    ]);
  });

  it('runs a PostgreSQL entry with an END keyword as written, as Vault does', () => {
    const block = `DO $$ BEGIN IF NOT EXISTS (SELECT 1) THEN CREATE ROLE "{{name}}"; END IF; END $$`;
    expect(splitStatements([block], 'postgresql')).toEqual([block]);
    // "APPEND" and "'END'" are not the keyword.
    expect(splitStatements([`SELECT 'END'; SELECT 'APPEND'`], 'postgresql')).toHaveLength(2);
  });
});

describe('renderStatement (PostgreSQL)', () => {
  const values = { name: 'v-x"y', username: 'v-x"y', password: `p'w\\d`, expiration: '2030-01-01 00:00:00+0000' };

  it('escapes each value for where it stands: identifiers, literals, E-strings, bare', () => {
    expect(renderStatement(`CREATE ROLE "{{name}}" WITH LOGIN PASSWORD '{{password}}' VALID UNTIL '{{expiration}}'`, 'postgresql', values).sql).toBe(
      `CREATE ROLE "v-x""y" WITH LOGIN PASSWORD  E'p''w\\\\d' VALID UNTIL '2030-01-01 00:00:00+0000'`,
    );
    expect(renderStatement('ALTER ROLE {{name}} PASSWORD {{password}}', 'postgresql', values).sql).toBe(
      `ALTER ROLE "v-x""y" PASSWORD  E'p''w\\\\d'`,
    );
    expect(renderStatement(`COMMENT ON ROLE x IS 'made for {{name}}'`, 'postgresql', values).sql).toBe(`COMMENT ON ROLE x IS 'made for v-x"y'`);
    expect(renderStatement(`SELECT E'{{password}}'`, 'postgresql', values).sql).toBe(`SELECT  E'p''w\\\\d'`);
    expect(renderStatement(`SELECT '-- {{name}}' -- {{password}}`, 'postgresql', values).sql).toBe(`SELECT '-- v-x"y' -- {{password}}`);
  });

  it('refuses a value that would close the dollar quote around it', () => {
    expect(() => renderStatement(`DO $$ BEGIN PERFORM '{{password}}'; END $$`, 'postgresql', { password: 'a$$b' })).toThrow(/dollar-quote/);
    expect(renderStatement(`DO $body$ BEGIN PERFORM '{{password}}'; END $body$`, 'postgresql', { password: 'a$$b' }).sql).toContain(`'a$$b'`);
  });
});

describe('renderStatement (MySQL)', () => {
  it('turns whole quoted and bare placeholders into ? and ?? parameters, in order', () => {
    expect(renderStatement("CREATE USER '{{name}}'@'%' IDENTIFIED BY '{{password}}'", 'mysql', { name: "o'k", password: 'p"w' })).toEqual({
      sql: "CREATE USER ?@'%' IDENTIFIED BY ?",
      params: ["o'k", 'p"w'],
    });
    expect(renderStatement('GRANT SELECT ON `{{name}}`.* TO {{name}}', 'mysql', { name: 'db`1' })).toEqual({
      sql: 'GRANT SELECT ON ??.* TO ?',
      params: ['db`1', 'db`1'],
    });
  });

  it("escapes in place inside longer strings, and everywhere when the statement has a '?' of its own", () => {
    expect(renderStatement("SELECT 'user {{name}}'", 'mysql', { name: "a'b\\c" })).toEqual({ sql: "SELECT 'user a\\'b\\\\c'", params: [] });
    expect(renderStatement("CREATE USER '{{name}}'@'%' COMMENT 'why?'", 'mysql', { name: "a'b" })).toEqual({
      sql: "CREATE USER 'a\\'b'@'%' COMMENT 'why?'",
      params: [],
    });
  });

  it('leaves placeholders without a value as written', () => {
    expect(renderStatement("DROP USER '{{name}}'@'%' -- {{password}}", 'mysql', { name: 'u' })).toEqual({
      sql: "DROP USER ?@'%' -- {{password}}",
      params: ['u'],
    });
  });
});
