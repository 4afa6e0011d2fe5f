import { Column, Entity, PrimaryColumn } from 'typeorm';
import { jsonText } from './json-column';

/** The catalog the quote and recommendation agents work from. */
@Entity({ name: 'products' })
export class Product {
  @PrimaryColumn({ type: 'varchar', length: 64 })
  sku!: string;

  @Column({ type: 'varchar', length: 256 })
  name!: string;

  @Column({ name: 'name_es', type: 'varchar', length: 256 })
  nameEs!: string;

  @Column({ type: 'varchar', length: 64 })
  category!: string;

  @Column({ name: 'price_cents', type: 'integer' })
  priceCents!: number;

  @Column({ type: 'varchar', length: 3 })
  currency!: string;

  @Column({ type: 'text', transformer: jsonText })
  tags!: string[];

  @Column({ type: 'text' })
  description!: string;

  @Column({ type: 'integer' })
  stock!: number;
}
