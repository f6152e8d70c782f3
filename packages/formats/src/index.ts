export * from './read';
export * from './common';
export * from './checkpoint';
export * from './run';
export * from './goldens';
export * from './gates';
export * from './report';
export * from './workspace';
