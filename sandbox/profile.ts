/**
 * The profile demo's entity: one per signed-in user (`user` scope), kept in SQL.
 */
import { Entity, event, field, z } from 'starmodel';

/** The avatar colours a profile may pick (names shown next to each swatch). */
export const AVATAR_COLOURS = { '#4a3aff': 'Indigo', '#e5484d': 'Red', '#30a46c': 'Green', '#f76b15': 'Orange', '#0090ff': 'Blue', '#8e4ec6': 'Purple' } as const;
/** One of the AVATAR_COLOURS keys. */
export type AvatarColour = keyof typeof AVATAR_COLOURS;

const colours = Object.keys(AVATAR_COLOURS) as [AvatarColour, ...AvatarColour[]];
const BIO_MAX = 500;

/** The signed-in user's own profile: nobody else can read or change it. */
export class Profile extends Entity {
  static override scope = 'user' as const;
  static override store = 'sql';
  static override access = { read: 'user', write: 'user' };

  @field(z.string().max(BIO_MAX)) bio = '';
  @field(z.enum(colours)) colour: string = '#4a3aff';

  @event({
    method: 'post',
    args: { bio: z.string().trim().max(BIO_MAX, `At most ${BIO_MAX} characters`), colour: z.enum(colours, 'Pick one of the colours') },
  })
  save(bio: string, colour: string) {
    this.bio = bio;
    this.colour = colour;
    this.toast.success('Profile saved.');
  }
}
