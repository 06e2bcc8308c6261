/**
 * The sandbox's MongoDB entity: product reviews. They live in memory by default; start the
 * sandbox with MONGO_URL set and they live in MongoDB instead (collection `Review`, one document
 * per review) through @starmodel/mongo. Nothing else changes.
 */
import { domId, Entity, event, field, html, z } from 'starmodel';
import type { MongoIndexes } from '@starmodel/mongo';

/** A review of a product: `POST /review/create`, `POST /review/<id>/helpful`, live on `/reviews`. */
export class Review extends Entity {
  static override scope = 'record' as const;
  static override store = process.env.MONGO_URL ? 'mongo' : 'memory';
  /** Used by the mongo store only: the page lists reviews by stars. */
  static indexes: MongoIndexes = [['stars', -1]];
  @field(z.string().trim().min(1, 'Say which product').max(80, 'At most 80 characters')) product = '';
  @field(z.number({ error: 'Give 1 to 5 stars' }).int('Whole stars only').min(1, 'At least 1 star').max(5, 'At most 5 stars')) stars = 5;
  @field(z.string().trim().max(500, 'At most 500 characters')) text = '';
  helpful = 0;

  @event({ method: 'post' }) helpfulVote() { this.helpful++; }

  render() {
    return html`<li id="${domId(this)}" class="row"><strong>${'★'.repeat(this.stars)}${'☆'.repeat(5 - this.stars)}</strong>
<span class="grow"><strong>${this.product}</strong> ${this.text}</span>
<button class="secondary" ${this.ds.on('click', Review.actOn(this.id, 'helpfulVote'))}>Helpful (${this.helpful})</button></li>`;
  }
}
