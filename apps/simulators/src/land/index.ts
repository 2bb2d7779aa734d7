export * from './land.wire';
export * from './land.dataset';
export * from './land.samples';
export * from './land.simulator';
export { escapeXml, errorDocument, parcelXml, resultDocument } from './land.xml';
