import { Column, Entity, PrimaryColumn } from 'typeorm';

/** The company directory the research agent falls back to when a lead's website is not reachable. */
@Entity({ name: 'companies' })
export class Company {
  /** Lower-case domain without `www.`, e.g. `acmecorp.com`. */
  @PrimaryColumn({ type: 'varchar', length: 253 })
  domain!: string;

  @Column({ type: 'varchar', length: 200 })
  name!: string;

  @Column({ type: 'varchar', length: 100, nullable: true })
  industry!: string | null;

  /** A size band such as `51-200`. */
  @Column({ type: 'varchar', length: 32, nullable: true })
  size!: string | null;

  /** ISO 3166-1 alpha-2. */
  @Column({ type: 'varchar', length: 2, nullable: true })
  country!: string | null;

  @Column({ type: 'text', nullable: true })
  description!: string | null;
}
